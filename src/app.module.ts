import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from './config/app.config';
import { AllExceptionsFilter } from './core/errors';
import { EventsModule } from './core/events';
import { ObservabilityModule, ObservabilityOptions } from './core/observability';
import { DeliveryModule } from './core/delivery';
import { dataSourceOptions } from './database/data-source-options';
import type { DatabaseEndpoint } from './database/embedded-postgres';
import { migrationContextOf, runMigrations } from './database/run-migrations';
import { AccountsModule } from './modules/accounts';
import { AdminModule } from './modules/admin';
import { AmqpModule } from './modules/amqp';
import { ConsoleModule } from './modules/console';
import { CustomerEngagementModule } from './modules/customer-engagement';
import { FulfillmentModule } from './modules/fulfillment';
import { IpnModule } from './modules/ipn';
import { OrdersModule } from './modules/orders';
import { SubscriptionsModule } from './modules/subscriptions';
import { WebhooksModule } from './modules/webhooks';

/** Composition root. The configuration is read once by the caller and handed in, already validated. */
@Module({})
export class AppModule {
  /** `extensions`: further modules, such as an integrator's listeners (tests use it the same way). */
  static forRoot(
    config: AppConfig,
    database: DatabaseEndpoint,
    extensions: ModuleMetadata['imports'] = [],
    observability: ObservabilityOptions = {},
  ): DynamicModule {
    const poolSize = Math.min(config.database.poolSize, database.maxPoolSize ?? Infinity);
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(database.url, poolSize, config.database.timeouts),
            autoLoadEntities: true,
            // The first connection may wait for the embedded database to finish starting.
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          // Migrations first, on a connection of their own without the app's statement timeouts (a
          // migration may rewrite a large table); retried like the app's first connection.
          dataSourceFactory: async (options) => {
            await runMigrations(database.url, { context: migrationContextOf(config) });
            return new DataSource(options!);
          },
        }),
        ObservabilityModule.forRoot(config, observability),
        EventsModule,
        DeliveryModule,
        IpnModule,
        OrdersModule,
        AccountsModule,
        SubscriptionsModule,
        FulfillmentModule,
        CustomerEngagementModule,
        AmqpModule,
        AdminModule,
        WebhooksModule,
        ConsoleModule,
        ...extensions,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [APP_CONFIG],
    };
  }
}
