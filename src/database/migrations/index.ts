import { CreateIpnInbox1764000000000 } from './1764000000000-create-ipn-inbox';
import { CreateOrderLifecycle1764000000001 } from './1764000000001-create-order-lifecycle';
import { DropNotificationFields1764000000002 } from './1764000000002-drop-notification-fields';
import { BoundedRejections1764000000100 } from './1764000000100-bounded-rejections';
import { EventPipeline1764000000200 } from './1764000000200-event-pipeline';
import { CommerceLifecycle1764000000300 } from './1764000000300-commerce-lifecycle';
import { AdminAudit1764000000400 } from './1764000000400-admin-audit';
import { OutboxAutovacuum1764000001300 } from './1764000001300-outbox-autovacuum';
import { EventLogAndDeliveryStage1764000003000 } from './1764000003000-event-log-and-delivery-stage';
import { OutsideCalls1764000001200 } from './1764000001200-outside-calls';
import { NotificationReceivedAtIndex1764000001100 } from './1764000001100-notification-received-at-index';
import { AdminAuditCounted1764000002300 } from './1764000002300-admin-audit-counted';
import { ConsoleSessions1764000002301 } from './1764000002301-console-sessions';
import { SubscriptionFieldMerge1764000002100 } from './1764000002100-subscription-field-merge';
import { SharedAlertState1764000002400 } from './1764000002400-shared-alert-state';
import { NotificationIdentity1764000002000 } from './1764000002000-notification-identity';
import { RefusalsCountedPerReason1764000002200 } from './1764000002200-refusals-counted-per-reason';
import { Webhooks1764000004000 } from './1764000004000-webhooks';

/** Every migration, in order. An explicit list: no globs, so jest, the app and the CLI agree. */
export const MIGRATIONS = [
  CreateIpnInbox1764000000000,
  CreateOrderLifecycle1764000000001,
  DropNotificationFields1764000000002,
  BoundedRejections1764000000100,
  EventPipeline1764000000200,
  CommerceLifecycle1764000000300,
  AdminAudit1764000000400,
  NotificationReceivedAtIndex1764000001100,
  OutsideCalls1764000001200,
  OutboxAutovacuum1764000001300,
  NotificationIdentity1764000002000,
  SubscriptionFieldMerge1764000002100,
  RefusalsCountedPerReason1764000002200,
  AdminAuditCounted1764000002300,
  ConsoleSessions1764000002301,
  SharedAlertState1764000002400,
  EventLogAndDeliveryStage1764000003000,
  Webhooks1764000004000,
];
