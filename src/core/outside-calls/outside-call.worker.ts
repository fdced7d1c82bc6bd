import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { MetricsRegistry } from '../observability';
import { OUTSIDE_CALL_METADATA, OutsideCallDefinition, OutsideCallHandler } from './outside-call.decorator';
import { OUTSIDE_CALLS_RECORDED } from './outside-calls.service';
import { ClaimedCall, OutsideCallRepository } from './persistence/outside-call.repository';

const BATCH = 16;
/** Calls in flight at once: a slow API holds only these. */
const PARALLEL = 4;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

interface Registered {
  definition: OutsideCallDefinition;
  handler: OutsideCallHandler;
}

/**
 * Performs recorded outside calls after their transaction committed: leases a batch (nobody else
 * performs them meanwhile, a lapsed lease is taken over), calls each handler with an AbortSignal that
 * fires at its timeout, and settles each call (done with its result, retried with exponential backoff
 * from OUTBOX_BACKOFF_MS, failed after its last attempt). Woken by the commit of a transaction that
 * recorded calls (a TypeORM subscriber), and polled every OUTBOX_POLL_MS; runs where the relay runs.
 */
@Injectable()
export class OutsideCallWorker implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger('OutsideCalls');
  private readonly token = randomUUID();
  private readonly handlers = new Map<string, Registered>();
  private readonly failures: Counter<'handler'>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly calls: OutsideCallRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    registry: MetricsRegistry,
  ) {
    this.failures = new Counter({
      name: 'outside_call_failures_total',
      help: 'Failed attempts of outside calls (licensing APIs, CRMs…), by handler',
      labelNames: ['handler'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const definition =
        wrapper.metatype && (Reflect.getMetadata(OUTSIDE_CALL_METADATA, wrapper.metatype) as OutsideCallDefinition | undefined);
      if (!definition || !wrapper.instance) continue;
      if (this.handlers.has(definition.name)) throw new Error(`Two outside-call handlers are named "${definition.name}"`);
      this.handlers.set(definition.name, { definition, handler: wrapper.instance as OutsideCallHandler });
    }
    this.dataSource.subscribers.push(this);
  }

  onApplicationBootstrap(): void {
    if (!this.config.events.relay || this.handlers.size === 0) return;
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.config.events.pollMs);
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.started = false;
    clearInterval(this.timer);
    await this.running;
  }

  /** TypeORM: a transaction committed; if it recorded calls, perform them now. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.data?.[OUTSIDE_CALLS_RECORDED]) this.wake();
  }

  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) this.wake();
    });
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        const claimed = await this.calls.claim(this.token, [...this.handlers.keys()], BATCH, this.leaseMs());
        await inParallel(claimed, PARALLEL, (call) => this.perform(call));
        if (claimed.length === BATCH) this.again = true;
      } while (this.again && this.started);
    } catch (error) {
      this.logger.warn(`Outside-call round stopped, will retry: ${(error as Error).message}`);
    }
  }

  private async perform(call: ClaimedCall): Promise<void> {
    const { definition, handler } = this.handlers.get(call.handler)!;
    const signal = AbortSignal.timeout(definition.timeoutMs);
    try {
      const result = await Promise.race([
        handler.perform(call.payload, { callId: call.id, key: call.key, attempt: call.attempts, signal }),
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error(`timed out after ${definition.timeoutMs} ms`)), { once: true }),
        ),
      ]);
      await this.calls.markDone(call.id, this.token, result);
    } catch (error) {
      this.failures.inc({ handler: call.handler });
      const final = call.attempts >= definition.maxAttempts;
      const delayMs = Math.min(this.config.events.backoffMs * 2 ** (call.attempts - 1), MAX_BACKOFF_MS);
      this.logger.warn(
        `${call.handler} call ${call.key} failed (attempt ${call.attempts}/${definition.maxAttempts})` +
          `${final ? ', given up' : `, retry in ${delayMs} ms`}: ${(error as Error).message}`,
      );
      await this.calls.markFailed(call.id, this.token, { final, error: (error as Error).message, delayMs });
    }
  }

  /** Longer than any handler's timeout: a live worker never loses its lease. */
  private leaseMs(): number {
    return Math.max(...[...this.handlers.values()].map(({ definition }) => definition.timeoutMs)) * 3;
  }
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
