import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../../config/app.config';
import { NotificationRepository, StoredNotification } from '../persistence/notification.repository';
import { FormBody, SIGNATURE_FIELD } from '../protocol';

export type { StoredNotification } from '../persistence/notification.repository';

/**
 * How long a stored notification waits in memory for this process's delivery to read it: longer than
 * a delivery takes to start (receipt to effects p99 is under 2 s at the benchmark's load), short enough
 * that what another instance delivers, or a backlog, leaves nothing behind for long.
 */
export const HAND_OVER_MS = 5_000;
/** At most this many notifications are held, with at most this many raw bytes (bodies can be 1 MB each). */
export const HAND_OVER_ENTRIES = 10_000;
export const HAND_OVER_BYTES = 32 * 1024 * 1024;

const SIGNATURE_FIELDS = Object.values(SIGNATURE_FIELD);

interface Held {
  readonly notification: StoredNotification;
  readonly bytes: number;
  /** performance.now() when it was remembered. */
  readonly at: number;
}

/**
 * What processing stages read of the inbox: stored notifications, parsed. Those this process stored a
 * moment ago are handed over from memory (the form the guard parsed), saving a read of the raw body
 * and a second parse; any other (another instance's, after a restart, a replay, one held too long) is
 * read from the inbox, which is the record. Nothing is held when this process does not deliver
 * (OUTBOX_RELAY=off); otherwise entries are held in arrival order and dropped from the oldest, past
 * HAND_OVER_MS or beyond the count or byte cap: O(1) amortised per notification, and one timer for all
 * (not one per entry) empties what nobody read.
 */
@Injectable()
export class StoredNotificationsService implements OnApplicationShutdown {
  private readonly held = new Map<string, Held>();
  private heldBytes = 0;
  private sweep: NodeJS.Timeout | undefined;
  private readonly handsOver: boolean;

  constructor(
    private readonly notifications: NotificationRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.handsOver = config.events.relay;
  }

  /** After the last request committed (RecordNotificationUseCase settles before shutdown). */
  onApplicationShutdown(): void {
    clearTimeout(this.sweep);
    this.sweep = undefined;
  }

  /** Called once a notification is committed. */
  remember(notification: StoredNotification): void {
    if (!this.handsOver) return;
    const bytes = retainedBytes(notification.form);
    if (bytes > HAND_OVER_BYTES) return;
    this.forget(notification.id);
    const now = performance.now();
    this.held.set(notification.id, { notification, bytes, at: now });
    this.heldBytes += bytes;
    this.dropOld(now);
    this.sweep ??= setTimeout(() => this.sweepNow(), HAND_OVER_MS).unref();
  }

  /** In the caller's (delivery) transaction. */
  async read(manager: EntityManager, ids: readonly string[]): Promise<Map<string, StoredNotification>> {
    this.dropOld(performance.now());
    const found = new Map<string, StoredNotification>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = this.held.get(id);
      if (held) found.set(id, held.notification);
      else missing.push(id);
    }
    if (missing.length > 0) for (const [id, notification] of await this.notifications.read(manager, missing)) found.set(id, notification);
    // Read back once: a later read (a retry, a replay) goes to the inbox.
    for (const id of ids) this.forget(id);
    return found;
  }

  /** How many notifications and bytes are held (for tests and diagnostics). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.held.size, bytes: this.heldBytes };
  }

  /** From the oldest: each entry is dropped once, so the work is O(1) per notification remembered. */
  private dropOld(now: number): void {
    for (const [id, held] of this.held) {
      if (now - held.at < HAND_OVER_MS && this.held.size <= HAND_OVER_ENTRIES && this.heldBytes <= HAND_OVER_BYTES) return;
      this.forget(id);
    }
  }

  /** Drops what has waited too long, and comes back when the oldest left will have. */
  private sweepNow(): void {
    this.sweep = undefined;
    const now = performance.now();
    this.dropOld(now);
    const oldest = this.held.values().next();
    if (!oldest.done) this.sweep = setTimeout(() => this.sweepNow(), Math.max(0, oldest.value.at + HAND_OVER_MS - now)).unref();
  }

  private forget(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    this.heldBytes -= held.bytes;
  }
}

/**
 * The raw body's size, found in O(1) from the parsed form: its unescaped values are views of the raw
 * body, and so is a signature (hex, never escaped, always there once verified), which comes last. From
 * the first value to the end of the signature is the body, give or take the first name; when the first
 * value is not a view of the same bytes (escaped or empty), the whole store behind the signature is
 * counted (the raw body itself from 4 KB up, else the 8 KB pool slab it keeps alive). Escaped values are
 * views of one decoded copy, at most the body's size: the memory held is at most twice what is counted.
 */
export function retainedBytes(form: FormBody): number {
  let signature: Buffer | undefined;
  for (const name of SIGNATURE_FIELDS) signature ??= nonEmpty(form.firstBytes(name));
  const first = form.fields[0]?.values[0];
  const store = (signature ?? first)?.buffer;
  if (!store) return 0;
  if (signature && first && first.buffer === store && first.byteOffset <= signature.byteOffset) {
    return signature.byteOffset + signature.length - first.byteOffset;
  }
  return store.byteLength;
}

function nonEmpty(value: Buffer | undefined): Buffer | undefined {
  return value && value.length > 0 ? value : undefined;
}
