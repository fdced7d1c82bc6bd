import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import helmet from 'helmet';
import { AdminModule } from '../admin';
import { CustomerEngagementModule } from '../customer-engagement';
import { FulfillmentModule } from '../fulfillment';
import { IpnModule } from '../ipn';
import { OrdersModule } from '../orders';
import { SubscriptionsModule } from '../subscriptions';
import { WebhooksModule } from '../webhooks';
import { ConsoleAuditService } from './application/console-audit.service';
import { ConsoleSessionPurgeService } from './application/console-session-purge.service';
import { ConsoleSessionsService } from './application/console-sessions.service';
import { FailedSignInsService } from './application/failed-sign-ins.service';
import { OrderJourneyService } from './application/order-journey.service';
import { PendingEventsSampler } from './application/pending-events.sampler';
import { SignInLinkService } from './application/sign-in-link.service';
import { ConsoleAuthController } from './http/console-auth.controller';
import { ConsoleDeliveriesController } from './http/console-deliveries.controller';
import { ConsoleEventsController } from './http/console-events.controller';
import { ConsoleNotificationsController } from './http/console-notifications.controller';
import { ConsoleOrdersController } from './http/console-orders.controller';
import { ConsoleSessionGuard } from './http/console-session.guard';
import { ConsoleShellController } from './http/console-shell.controller';
import { ConsoleSubscriptionsController } from './http/console-subscriptions.controller';
import { ConsoleWebhooksController } from './http/console-webhooks.controller';
import { SignInThrottleGuard } from './http/sign-in-throttle.guard';
import { ConsoleSessionEntity } from './persistence/console-session.entity';
import { ConsoleSessionRepository } from './persistence/console-session.repository';

/**
 * The console's policy, stricter than the app-wide one (helmet's defaults, in bootstrap.ts): its own
 * files only, no inline script or style, no framing, forms posting only to itself. No
 * upgrade-insecure-requests: on a plain-http address it would send the page's own scripts to https.
 */
const consoleContentSecurityPolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
});

/**
 * helmet's app-wide no-referrer makes Chromium send `Origin: null` even on same-origin POSTs, and the
 * console's cross-site check needs the true origin of its own requests; same-origin still sends no
 * referrer to any other site.
 */
const consoleReferrerPolicy = helmet.referrerPolicy({ policy: 'same-origin' });

/**
 * The web console at /console: pages for operators over a JSON API of its own, behind ADMIN_TOKEN;
 * sessions in the database (shared by instances, kept across restarts).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ConsoleSessionEntity]),
    AdminModule,
    IpnModule,
    OrdersModule,
    FulfillmentModule,
    CustomerEngagementModule,
    SubscriptionsModule,
    WebhooksModule,
  ],
  controllers: [
    ConsoleAuthController,
    ConsoleNotificationsController,
    ConsoleOrdersController,
    ConsoleEventsController,
    ConsoleDeliveriesController,
    ConsoleSubscriptionsController,
    ConsoleWebhooksController,
    ConsoleShellController,
  ],
  providers: [
    ConsoleSessionsService,
    SignInLinkService,
    ConsoleSessionRepository,
    ConsoleSessionPurgeService,
    ConsoleSessionGuard,
    SignInThrottleGuard,
    ConsoleAuditService,
    FailedSignInsService,
    OrderJourneyService,
    PendingEventsSampler,
  ],
  exports: [SignInLinkService],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(consoleContentSecurityPolicy, consoleReferrerPolicy).forRoutes('console', 'console/*path');
  }
}
