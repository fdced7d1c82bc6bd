export * from './algorithm';
export * from './form-body';
export * from './form-limits';
export * from './identity';
export * from './printable';
export * from './receipt';
export * from './signature';
