export * from './algorithm';
export * from './form-body';
export * from './receipt';
export * from './signature';
