import { createHash } from 'node:crypto';
import { maskEmail } from '../../../core/observability';

/**
 * An e-mail address as an audit target: masked (`j***@example.com`, to read) and hashed (the first 16
 * hex digits of the SHA-256 of the trimmed, lower-cased address, to search: hash the address you are
 * looking for). Never the address itself: the audit log is kept for ever, customers' addresses are not
 * its to keep. The hash is unsalted on purpose, so that it can be searched; it tells whether a known
 * address was looked up, which is what the log is for.
 */
export function emailTarget(email: string | undefined): string {
  if (email === undefined || email.trim() === '') return '(none)';
  const normalised = email.trim().toLowerCase();
  return `${maskEmail(normalised)} sha256:${createHash('sha256').update(normalised).digest('hex').slice(0, 16)}`;
}
