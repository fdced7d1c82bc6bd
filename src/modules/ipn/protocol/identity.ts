import { createHash } from 'node:crypto';
import { FormBody } from './form-body';
import { signatureSource } from './signature';

/**
 * A notification's identity: SHA-256 of its signature source, the one thing 2Checkout vouches for. Every
 * delivery of one notification has it, whichever listener (URL) it was posted to and whichever key
 * signed it (a retry after a key rotation is signed with the new key); field names are not signed, so a
 * body replayed with a field renamed has it too. The inbox stores a notification once per identity and
 * account, and an order counts each refund once per identity. Used by the app and by the migration that
 * rehashed the stored notifications: computed in one place only.
 */
export function notificationIdentity(form: FormBody): Buffer {
  return createHash('sha256').update(signatureSource(form)).digest();
}
