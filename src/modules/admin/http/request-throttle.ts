import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerStorageService, normalizeIp } from '@nestjs/throttler';
import type { Request } from 'express';

const MINUTE_MS = 60_000;

/** One rate limit: who is counted, how many calls a minute they get, and what they are told beyond. */
export interface ThrottleBudget {
  /** Keeps this budget's keys apart from every other's. */
  readonly name: string;
  readonly perMinute: number;
  /** Whom a request is counted against, e.g. its address. */
  readonly tracker: (request: Request) => string;
  /** The error thrown past the budget; `Retry-After` is already set on the response. */
  readonly refusal: (limit: number, retryAfterSeconds: number) => Error;
}

/** The client's address as rate limits count it: IPv6 per /64 (one customer's network). */
export function throttledAddress(request: Request): string {
  return normalizeIp(String(request.ip ?? 'unknown'));
}

/**
 * @nestjs/throttler's guard with its own in-memory storage and options, built here rather than through
 * ThrottlerModule (whose options would be global; the IPN refusal throttle has its own storage). A
 * sliding minute; past the budget, blocked for a minute. The name `default` gives plain Retry-After and
 * X-RateLimit-* headers. Each process counts on its own: behind a load balancer of N instances, a
 * caller spread over all of them gets up to N times the budget.
 */
export class RequestThrottle {
  private readonly guard: BudgetGuard;
  private readonly ready: Promise<void>;

  constructor(budget: ThrottleBudget) {
    this.guard = new BudgetGuard(budget);
    this.ready = this.guard.onModuleInit();
  }

  /** Counts the request; throws the budget's refusal past it. */
  async check(context: ExecutionContext): Promise<true> {
    await this.ready;
    await this.guard.canActivate(context);
    return true;
  }
}

class BudgetGuard extends ThrottlerGuard {
  constructor(private readonly budget: ThrottleBudget) {
    super([{ name: 'default', ttl: MINUTE_MS, limit: budget.perMinute }], new ThrottlerStorageService(), new Reflector());
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return this.budget.tracker(request as unknown as Request);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return `${this.budget.name}/${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw this.budget.refusal(detail.limit, detail.timeToBlockExpire);
  }
}
