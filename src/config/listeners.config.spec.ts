import { loadConfig } from './app.config';

const base = { IPN_SECRET_KEY: 'default-key' };
const accounts = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries([...loadConfig({ ...base, ...env }).ipn.listeners.values()].map((listener) => [listener.name, listener.account]));
const listeners = (...entries: object[]) => ({ IPN_LISTENERS: JSON.stringify(entries) });

describe('listener accounts', () => {
  it('makes the default listener its own account, named after it', () => {
    expect(accounts({})).toEqual({ default: 'default' });
  });

  it('makes listeners that share a key one account, named after the first of them (the default listener first)', () => {
    expect(accounts(listeners({ name: 'eu', secretKey: 'default-key' }, { name: 'us', secretKey: 'us-key' }))).toEqual({
      default: 'default',
      eu: 'default',
      us: 'us',
    });
    expect(
      accounts(
        listeners(
          { name: 'b', secretKeys: ['k2'] },
          { name: 'a', secretKeys: ['k1'] },
          // Shares k1 with a and k2 with b: the three are one account, named after b, the first of them.
          { name: 'c', secretKeys: ['k1', 'k2'] },
        ),
      ),
    ).toEqual({ default: 'default', a: 'b', b: 'b', c: 'b' });
  });

  it('keeps a listener in its account during a key rotation, whichever key the other listeners still hold', () => {
    const rotating = { IPN_SECRET_KEY: 'new-key', IPN_SECRET_KEY_PREVIOUS: 'default-key' };
    expect(accounts({ ...rotating, ...listeners({ name: 'eu', secretKey: 'default-key' }) })).toEqual({
      default: 'default',
      eu: 'default',
    });
    expect(accounts({ ...rotating, ...listeners({ name: 'eu', secretKey: 'new-key' }) })).toEqual({ default: 'default', eu: 'default' });
  });

  it('takes the account a listener names (IPN_ACCOUNT for the default one), for the listeners sharing its key too', () => {
    expect(accounts({ IPN_ACCOUNT: 'acme', ...listeners({ name: 'eu', secretKey: 'default-key' }) })).toEqual({
      default: 'acme',
      eu: 'acme',
    });
    expect(
      accounts(
        listeners(
          { name: 'eu', secretKey: 'eu-key' },
          { name: 'eu2', secretKey: 'eu-key', account: 'europe' },
          { name: 'us', secretKey: 'us-key' },
        ),
      ),
    ).toEqual({ default: 'default', eu: 'europe', eu2: 'europe', us: 'us' });
    // Disjoint keys, one account named: the operator says they are one account (a key changed on one URL only).
    expect(accounts(listeners({ name: 'eu', secretKey: 'eu-key', account: 'default' }))).toEqual({ default: 'default', eu: 'default' });
  });

  it('refuses listeners that share a key but name different accounts, and bad account names', () => {
    expect(() =>
      loadConfig({ ...base, IPN_ACCOUNT: 'one', ...listeners({ name: 'eu', secretKey: 'default-key', account: 'two' }) }),
    ).toThrow(/^IPN_LISTENERS: listeners "default" and "eu" share a secret key, .* name different accounts \("one", "two"\)/);
    expect(() => loadConfig({ ...base, ...listeners({ name: 'eu', secretKey: 'k', account: 'a b' }) })).toThrow(
      /^IPN_LISTENERS: entry 0, account: must be letters/,
    );
    expect(() => loadConfig({ ...base, IPN_ACCOUNT: 'x'.repeat(64) })).toThrow(/^IPN_ACCOUNT: must be letters/);
  });

  it('never puts a key in the message', () => {
    const env = { ...base, IPN_ACCOUNT: 'one', ...listeners({ name: 'eu', secretKey: 'default-key', account: 'two' }) };
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('default-key') }));
  });
});
