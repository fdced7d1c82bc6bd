import { createHash } from 'node:crypto';
import { newSessionId, sameSecret, sessionIdHash, sessionReference } from './session-id';

const TOKEN = Buffer.from('console-spec-token-0123456789');

describe('console session ids', () => {
  it('are 256 random bits, base64url, never twice the same', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSessionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\w-]{43}$/);
  });

  it('are stored as their SHA-256, and what no session id can be has no hash (no database look-up)', () => {
    const id = newSessionId();
    expect(sessionIdHash(id)).toBe(createHash('sha256').update(id).digest('hex'));
    expect(sessionIdHash(id)).not.toContain(id);
    for (const forged of [undefined, '', 'forged', `${id}x`, id.slice(1), `${id.slice(1)}=`, `${id.slice(1)}%`]) {
      expect(sessionIdHash(forged)).toBeUndefined();
    }
  });

  it('are named in the audit log by the first 8 hex digits of their hash', () => {
    const id = newSessionId();
    expect(sessionReference(id)).toBe(`session ${sessionIdHash(id)!.slice(0, 8)}`);
  });
});

describe('sameSecret', () => {
  it('takes only the exact token', () => {
    expect(sameSecret('console-spec-token-0123456789', TOKEN)).toBe(true);
    for (const wrong of ['', 'wrong', 'console-spec-token-0123456789x', 'console-spec-token-012345678', 'Console-spec-token-0123456789']) {
      expect(sameSecret(wrong, TOKEN)).toBe(false);
    }
  });

  it('lets nobody in without a token', () => {
    expect(sameSecret('', undefined)).toBe(false);
    expect(sameSecret('', Buffer.alloc(0))).toBe(false);
    expect(sameSecret('anything', undefined)).toBe(false);
  });
});
