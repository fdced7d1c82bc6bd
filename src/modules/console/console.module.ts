import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import helmet from 'helmet';
import { AdminModule } from '../admin';
import { CustomerEngagementModule } from '../customer-engagement';
import { FulfillmentModule } from '../fulfillment';
import { IpnModule } from '../ipn';
import { OrdersModule } from '../orders';
import { SubscriptionsModule } from '../subscriptions';
import { ConsoleAudit } from './application/console-audit.service';
import { ConsoleSessions } from './application/console-sessions.service';
import { OrderJourneyService } from './application/order-journey.service';
import { PendingEventsSampler } from './application/pending-events.sampler';
import { ConsoleAuthController } from './http/console-auth.controller';
import { ConsoleEventsController } from './http/console-events.controller';
import { ConsoleNotificationsController } from './http/console-notifications.controller';
import { ConsoleOrdersController } from './http/console-orders.controller';
import { ConsoleSessionGuard } from './http/console-session.guard';
import { ConsoleShellController } from './http/console-shell.controller';
import { ConsoleSubscriptionsController } from './http/console-subscriptions.controller';

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

/** The web console at /console: pages for operators over a JSON API of its own, behind ADMIN_TOKEN. */
@Module({
  imports: [AdminModule, IpnModule, OrdersModule, FulfillmentModule, CustomerEngagementModule, SubscriptionsModule],
  controllers: [
    ConsoleAuthController,
    ConsoleNotificationsController,
    ConsoleOrdersController,
    ConsoleEventsController,
    ConsoleSubscriptionsController,
    ConsoleShellController,
  ],
  providers: [ConsoleSessions, ConsoleSessionGuard, ConsoleAudit, OrderJourneyService, PendingEventsSampler],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(consoleContentSecurityPolicy, consoleReferrerPolicy).forRoutes('console', 'console/*path');
  }
}
