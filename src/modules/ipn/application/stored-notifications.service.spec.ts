import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../../config/app.config';
import type { NotificationRepository } from '../persistence/notification.repository';
import { FormBody } from '../protocol';
import {
  HAND_OVER_BYTES,
  HAND_OVER_ENTRIES,
  HAND_OVER_MS,
  StoredNotification,
  StoredNotificationsService,
  retainedBytes,
} from './stored-notifications.service';

const manager = {} as EntityManager;
const SIGNATURE = `SIGNATURE_SHA2_256=${'ab'.repeat(32)}`;

/** A body as the HTTP layer hands it over: one buffer of its own (body-parser concatenates the chunks). */
function body(bytes: number): Buffer {
  const head = `REFNO=1&ORDERSTATUS=COMPLETE&SALEDATE=2026-11-24+10%3A25%3A11&PAD=`;
  const pad = Math.max(0, bytes - head.length - SIGNATURE.length - 1);
  return Buffer.concat([Buffer.from(head), Buffer.alloc(pad, 0x61), Buffer.from(`&${SIGNATURE}`)]);
}

let sequence = 0;
function stored(bytes = 2000): StoredNotification {
  sequence += 1;
  return {
    id: `n${sequence}`,
    kind: 'ipn',
    listener: 'default',
    form: FormBody.parse(body(bytes)),
    identity: `identity-${sequence}`,
    test: true,
    receivedAt: new Date(),
  };
}

function setUp(relay = true) {
  const inbox = {
    read: jest.fn(async (_: EntityManager, ids: readonly string[]) => new Map(ids.map((id) => [id, { id } as StoredNotification]))),
  };
  const service = new StoredNotificationsService(inbox as unknown as NotificationRepository, { events: { relay } } as AppConfig);
  /** Whether `notification` is handed over from memory (its very form) rather than read from the inbox. */
  const handedOver = async (notification: StoredNotification) =>
    (await service.read(manager, [notification.id])).get(notification.id) === notification;
  return { inbox, service, handedOver };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the hand-over of just-stored notifications', () => {
  it('hands a notification over once; a later read goes to the inbox', async () => {
    const { inbox, service, handedOver } = setUp();
    const notification = stored();
    service.remember(notification);
    expect(await handedOver(notification)).toBe(true);
    expect(inbox.read).not.toHaveBeenCalled();
    expect(await handedOver(notification)).toBe(false);
    expect(inbox.read).toHaveBeenCalledWith(manager, [notification.id]);
    expect(service.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('holds nothing when this process does not deliver (OUTBOX_RELAY=off)', async () => {
    const { service, handedOver } = setUp(false);
    const notification = stored();
    service.remember(notification);
    expect(service.size).toEqual({ entries: 0, bytes: 0 });
    expect(jest.getTimerCount()).toBe(0);
    expect(await handedOver(notification)).toBe(false);
  });

  it('drops a notification held longer than HAND_OVER_MS', async () => {
    const { service, handedOver } = setUp();
    const [kept, dropped] = [stored(), stored()];
    service.remember(kept);
    service.remember(dropped);
    jest.advanceTimersByTime(HAND_OVER_MS - 1);
    expect(await handedOver(kept)).toBe(true);
    jest.advanceTimersByTime(1);
    expect(await handedOver(dropped)).toBe(false);
  });

  it('empties itself when nobody reads, with one timer for all', () => {
    const { service } = setUp();
    service.remember(stored());
    jest.advanceTimersByTime(HAND_OVER_MS / 2);
    for (let i = 0; i < 100; i++) service.remember(stored());
    expect(jest.getTimerCount()).toBe(1);
    expect(service.size.entries).toBe(101);
    jest.advanceTimersByTime(HAND_OVER_MS / 2);
    expect(service.size.entries).toBe(100);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(HAND_OVER_MS / 2);
    expect(service.size).toEqual({ entries: 0, bytes: 0 });
    expect(jest.getTimerCount()).toBe(0);
    service.onApplicationShutdown();
  });

  it(`holds at most ${HAND_OVER_ENTRIES} notifications, dropping the oldest`, async () => {
    const { service, handedOver } = setUp();
    const notifications = Array.from({ length: HAND_OVER_ENTRIES + 5 }, () => stored(500));
    for (const notification of notifications) service.remember(notification);
    expect(service.size.entries).toBe(HAND_OVER_ENTRIES);
    expect(await handedOver(notifications[4])).toBe(false);
    expect(await handedOver(notifications[5])).toBe(true);
    expect(await handedOver(notifications.at(-1)!)).toBe(true);
  });

  it('holds at most HAND_OVER_BYTES of raw bodies, dropping the oldest', async () => {
    const { service, handedOver } = setUp();
    const megabyte = 1024 * 1024;
    const notifications = Array.from({ length: HAND_OVER_BYTES / megabyte + 3 }, () => stored(megabyte));
    for (const notification of notifications) service.remember(notification);
    expect(service.size.bytes).toBeLessThanOrEqual(HAND_OVER_BYTES);
    expect(service.size.entries).toBe(HAND_OVER_BYTES / megabyte);
    expect(await handedOver(notifications[2])).toBe(false);
    expect(await handedOver(notifications.at(-1)!)).toBe(true);
    // One body larger than the whole allowance is never held.
    const huge = stored(HAND_OVER_BYTES + 1024);
    service.remember(huge);
    expect(await handedOver(huge)).toBe(false);
  });

  it('counts a body by its raw size, small or large', () => {
    for (const bytes of [300, 3000, 1024 * 1024]) {
      const raw = body(bytes);
      // Within the first field's name ("REFNO="), whatever store the body sits in.
      expect(retainedBytes(FormBody.parse(raw))).toBe(raw.length - 'REFNO='.length);
    }
  });
});
