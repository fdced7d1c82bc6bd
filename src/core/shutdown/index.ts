export * from './graceful-shutdown';
export * from './http-drain';
