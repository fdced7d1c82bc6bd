import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { EngagementQuery } from './application/engagement.query';
import { ENGAGEMENT_TRANSPORT, LogTransport, SmtpTransport } from './application/engagement-transport';
import { MessageCustomerOnLifecycle } from './consumers/message-customer-on-lifecycle.consumer';
import { SendRecordedMessages } from './consumers/send-recorded-messages.listener';
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
    MessageCustomerOnLifecycle,
    SendRecordedMessages,
    EngagementQuery,
  ],
  exports: [EngagementQuery, ENGAGEMENT_TRANSPORT],
})
export class CustomerEngagementModule {}
