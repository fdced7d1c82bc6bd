import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
/** 32 random bytes: the HMAC-SHA256 block is 64, its output 32; more adds nothing. */
const SECRET_BYTES = 32;

/** A fresh endpoint secret, `whsec_<base64 of 32 random bytes>` as Standard Webhooks writes them. */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * for each key, space-separated (two during a secret rotation's overlap). Signed over the exact bytes
 * sent; `timestamp` in whole seconds.
 */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: Buffer): string {
  const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
  return keys.map((key) => `v1,${createHmac('sha256', key).update(prefix).update(body).digest('base64')}`).join(' ');
}
