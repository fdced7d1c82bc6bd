export { IpnModule } from './ipn.module';
export * from './protocol';
