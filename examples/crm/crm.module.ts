import { DynamicModule, Module } from '@nestjs/common';
import { CRM_OPTIONS, CrmOptions } from './crm.options';
import { SyncCustomerToCrm } from './sync-customer-to-crm.subscriber';

/**
 * Example (a): keeps a CRM up to date from `order.completed` and `fulfillment.granted`. Plug it in with
 * `createApp(config, database, [CrmModule.forRoot({ baseUrl, apiKey })])` (or `AppModule.forRoot`).
 */
@Module({})
export class CrmModule {
  static forRoot(options: CrmOptions): DynamicModule {
    return {
      module: CrmModule,
      providers: [{ provide: CRM_OPTIONS, useValue: options }, SyncCustomerToCrm],
    };
  }
}
