import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from './config/app.config';
import { AllExceptionsFilter } from './core/errors';
import { dataSourceOptions } from './database/data-source-options';
import { IpnModule } from './modules/ipn';

/** Composition root. The configuration is read once by the caller and handed in, already validated. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, config.database.poolSize),
          migrationsRun: true,
          autoLoadEntities: true,
          // The first connection may wait for the embedded database to finish starting.
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        IpnModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [APP_CONFIG],
    };
  }
}
