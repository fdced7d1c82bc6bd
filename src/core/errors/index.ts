export * from './all-exceptions.filter';
export * from './app.exception';
export * from './database-unavailable';
export * from './error-code';
export * from './database-probe';
