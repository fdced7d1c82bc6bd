export type EndpointStatus = 'enabled' | 'disabled';

/** Why an endpoint was disabled: by hand, by a `410 Gone`, or after WEBHOOK_DISABLE_AFTER without a success. */
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** A registered endpoint, as stored (secrets included: only the signer and the creating call see them). */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  /** Patterns as EventFilter reads them: names, `prefix.*`, `*`. */
  readonly events: readonly string[];
  readonly description: string | null;
  readonly status: EndpointStatus;
  readonly disabledReason: DisabledReason | null;
  readonly disabledAt: Date | null;
  readonly secret: string;
  /** The secret before the last rotation, signing beside the new one until `previousSecretUntil`. */
  readonly previousSecret: string | null;
  readonly previousSecretUntil: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: WebhookEndpoint, now: number): string[] {
  const previous = endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil.getTime() > now;
  return previous ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/** The delivery target of an endpoint. */
export function targetName(endpointId: string): string {
  return `webhook:${endpointId}`;
}
