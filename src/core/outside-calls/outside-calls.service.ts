import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutsideCallClass, outsideCallName } from './outside-call.decorator';
import { OutsideCallRepository, OutsideCallView } from './persistence/outside-call.repository';

export interface OutsideCallRequest<TPayload> {
  /** Unique for the handler: recording a key again is a no-op (the call is made once). */
  readonly key: string;
  readonly payload: TPayload;
  readonly orderRef?: string | null;
  /** The notification that started the chain (a consumer passes `event.correlationId`). */
  readonly correlationId?: string | null;
}

/** Set on the recording transaction's query runner: its commit wakes the worker. */
export const OUTSIDE_CALLS_RECORDED = 'outsideCallsRecorded';

/**
 * The front of the outside-calls stage: a consumer records calls through its delivery transaction's
 * `manager`, so they exist exactly when its other effects commit; OutsideCallWorker performs them
 * after the commit, with timeouts, retries and a lease. No outside request ever runs inside a
 * database transaction, and a rolled-back delivery has called nobody.
 */
@Injectable()
export class OutsideCalls {
  constructor(private readonly calls: OutsideCallRepository) {}

  async record<TPayload>(
    manager: EntityManager,
    handler: OutsideCallClass<TPayload>,
    requests: ReadonlyArray<OutsideCallRequest<TPayload>>,
  ): Promise<void> {
    if (requests.length === 0) return;
    const name = outsideCallName(handler);
    await this.calls.insert(
      manager,
      requests.map((request) => ({
        handler: name,
        key: request.key,
        payload: request.payload,
        orderRef: request.orderRef ?? null,
        correlationId: request.correlationId ?? null,
      })),
    );
    if (manager.queryRunner) manager.queryRunner.data = { ...manager.queryRunner.data, [OUTSIDE_CALLS_RECORDED]: true };
  }

  /** One call, for operators and tests. */
  find(handler: OutsideCallClass<unknown>, key: string): Promise<OutsideCallView | undefined> {
    return this.calls.find(outsideCallName(handler), key);
  }

  /** Calls given up after their last attempt. */
  failed(): Promise<OutsideCallView[]> {
    return this.calls.failed();
  }
}
