import { loadConfig } from '../../../config/app.config';
import { ConsoleSessions, SESSION_TTL_MS } from './console-sessions.service';

const TOKEN = 'console-spec-token-0123456789';
const sessions = (env: NodeJS.ProcessEnv = { ADMIN_TOKEN: TOKEN }) =>
  new ConsoleSessions(loadConfig({ IPN_SECRET_KEY: 'spec-key', ...env }));

describe('ConsoleSessions', () => {
  it('opens a session, unrelated to the token, only for ADMIN_TOKEN', () => {
    const store = sessions();
    expect(store.open('wrong')).toBeUndefined();
    expect(store.open(`${TOKEN}x`)).toBeUndefined();
    const id = store.open(TOKEN)!;
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(id).not.toContain(TOKEN);
    expect(store.isActive(id)).toBe(true);
    expect(store.isActive('forged')).toBe(false);
    expect(store.isActive(undefined)).toBe(false);
  });

  it('ends a session when closed or when it expires', () => {
    const store = sessions();
    const closed = store.open(TOKEN)!;
    store.close(closed);
    expect(store.isActive(closed)).toBe(false);
    const expiring = store.open(TOKEN, 0)!;
    expect(store.isActive(expiring, SESSION_TTL_MS - 1)).toBe(true);
    expect(store.isActive(expiring, SESSION_TTL_MS)).toBe(false);
  });

  it('lets nobody in without ADMIN_TOKEN', () => {
    const store = sessions({});
    expect(store.enabled).toBe(false);
    expect(store.open('')).toBeUndefined();
  });

  it('keeps at most 1,000 sessions, pushing out the oldest', () => {
    const store = sessions();
    const ids = Array.from({ length: 1001 }, () => store.open(TOKEN)!);
    expect(store.isActive(ids[0])).toBe(false);
    expect(store.isActive(ids[1])).toBe(true);
    expect(store.isActive(ids[1000])).toBe(true);
  });
});
