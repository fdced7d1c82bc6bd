export * from './batched-purge';
