import { CreateIpnInbox1764000000000 } from './1764000000000-create-ipn-inbox';
import { CreateOrderLifecycle1764000000001 } from './1764000000001-create-order-lifecycle';
import { DropNotificationFields1764000000002 } from './1764000000002-drop-notification-fields';
import { BoundedRejections1764000000100 } from './1764000000100-bounded-rejections';
import { EventPipeline1764000000200 } from './1764000000200-event-pipeline';
import { CommerceLifecycle1764000000300 } from './1764000000300-commerce-lifecycle';
import { AdminAudit1764000000400 } from './1764000000400-admin-audit';
import { OutboxAutovacuum1764000001300 } from './1764000001300-outbox-autovacuum';
import { OutsideCalls1764000001200 } from './1764000001200-outside-calls';
import { NotificationReceivedAtIndex1764000001100 } from './1764000001100-notification-received-at-index';

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
];
