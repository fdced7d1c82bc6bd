import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { EngagementQuery } from './application/engagement.query';
import { ENGAGEMENT_TRANSPORT, LogTransport, SmtpTransport } from './application/engagement-transport';
import { MessageCustomerOnLifecycle } from './consumers/message-customer-on-lifecycle.consumer';
import { EngagementEntity } from './persistence/engagement.entity';
import { EngagementRepository } from './persistence/engagement.repository';
import { MailTarget } from './application/mail-target';
import { LogMessageOnRecorded } from './listeners/log-message-on-recorded.listener';

/** Customer messages along the order lifecycle, on a timeline; emits engagement.recorded. */
@Module({
  imports: [TypeOrmModule.forFeature([EngagementEntity])],
  providers: [
    {
      provide: ENGAGEMENT_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.mail.smtpUrl
          ? new SmtpTransport(config.mail.smtpUrl.reveal().toString('utf8'), config.mail.from, config.mail.timeoutMs)
          : new LogTransport(),
    },
    MessageCustomerOnLifecycle,
    EngagementRepository,
    MailTarget,
    LogMessageOnRecorded,
    EngagementQuery,
  ],
  exports: [EngagementQuery, ENGAGEMENT_TRANSPORT],
})
export class CustomerEngagementModule {}
