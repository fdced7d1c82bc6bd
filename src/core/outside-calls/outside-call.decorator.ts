import { Injectable } from '@nestjs/common';

/** What a handler is given with each call. */
export interface OutsideCallContext {
  readonly callId: string;
  /** Unique per handler and stable across attempts: send it as the idempotency key of the request. */
  readonly key: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted at the handler's timeout: pass it to fetch (or your client) so the request stops too. */
  readonly signal: AbortSignal;
}

/**
 * Performs one kind of outside call, after the transaction that recorded it committed, never inside
 * one. Throwing (or running past the timeout) retries it with backoff; its return value (JSON) is
 * kept with the call. It may run more than once for one call (a timeout whose request did arrive, a
 * worker that died mid-call): make the other side idempotent on `context.key`.
 */
export interface OutsideCallHandler<TPayload = unknown> {
  perform(payload: TPayload, context: OutsideCallContext): Promise<unknown>;
}

export interface OutsideCallOptions {
  /** Per attempt; default 10 s. */
  readonly timeoutMs?: number;
  /** Attempts before the call is marked failed; default 10. */
  readonly maxAttempts?: number;
}

export interface OutsideCallDefinition extends Required<OutsideCallOptions> {
  readonly name: string;
}

export const OUTSIDE_CALL_METADATA = Symbol('outside-call-handler');

/** A handler class; its payload type is what `OutsideCalls.record` accepts for it. */
export type OutsideCallClass<TPayload> = abstract new (...args: never[]) => OutsideCallHandler<TPayload>;

/**
 * Marks a provider as the handler of the outside calls named `name` (found at boot; a name used twice
 * stops start-up). Example: `@OutsideCall('acme.provision-license', { timeoutMs: 5000 })`.
 */
export function OutsideCall(name: string, options: OutsideCallOptions = {}) {
  return <TClass extends new (...args: never[]) => OutsideCallHandler<never>>(target: TClass): void => {
    const definition: OutsideCallDefinition = { name, timeoutMs: options.timeoutMs ?? 10_000, maxAttempts: options.maxAttempts ?? 10 };
    Reflect.defineMetadata(OUTSIDE_CALL_METADATA, definition, target);
    Injectable()(target);
  };
}

/** The name a handler class was declared with. */
export function outsideCallName(handler: OutsideCallClass<unknown>): string {
  const definition = Reflect.getMetadata(OUTSIDE_CALL_METADATA, handler) as OutsideCallDefinition | undefined;
  if (!definition) throw new Error(`${handler.name} is not marked with @OutsideCall`);
  return definition.name;
}
