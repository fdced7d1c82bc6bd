import { DynamicModule, Module } from '@nestjs/common';
import { ACME_LICENSING_OPTIONS, AcmeLicensingOptions, AcmeLicensingStrategy } from './acme-licensing.strategy';

/** Example (b): `createApp(config, database, [AcmeLicensingModule.forRoot({ baseUrl, apiKey, productIds })])`. */
@Module({})
export class AcmeLicensingModule {
  static forRoot(options: AcmeLicensingOptions): DynamicModule {
    return {
      module: AcmeLicensingModule,
      providers: [{ provide: ACME_LICENSING_OPTIONS, useValue: options }, AcmeLicensingStrategy],
    };
  }
}
