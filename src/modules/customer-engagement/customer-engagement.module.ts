import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { EngagementQuery } from './application/engagement.query';
import { ENGAGEMENT_TRANSPORT, LogTransport, SmtpTransport } from './application/engagement-transport';
import { MessageCustomerOnLifecycleListener } from './listeners/message-customer-on-lifecycle.listener';
import { EngagementEntity } from './persistence/engagement.entity';

/** Customer messages along the order lifecycle, on a timeline; emits engagement.recorded. */
@Module({
  imports: [TypeOrmModule.forFeature([EngagementEntity])],
  providers: [
    {
      provide: ENGAGEMENT_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.mail.smtpUrl
          ? new SmtpTransport(config.mail.smtpUrl.reveal().toString('utf8'), config.mail.from)
          : new LogTransport(),
    },
    MessageCustomerOnLifecycleListener,
    EngagementQuery,
  ],
  exports: [EngagementQuery, ENGAGEMENT_TRANSPORT],
})
export class CustomerEngagementModule {}
