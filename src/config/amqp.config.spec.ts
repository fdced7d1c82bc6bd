import { inspect } from 'node:util';
import { loadConfig } from './app.config';

const base = { IPN_SECRET_KEY: 'super-secret-key-value' };
const URL = 'amqp://app:broker-password-42@mq.internal:5672/prod';

describe('the AMQP configuration', () => {
  it('is off without AMQP_URL', () => {
    expect(loadConfig(base).amqp).toBeUndefined();
    expect(loadConfig({ ...base, AMQP_EXCHANGE: 'ignored' }).amqp).toBeUndefined();
  });

  it('gives the documented defaults, and reads each variable', () => {
    const defaults = loadConfig({ ...base, AMQP_URL: URL }).amqp!;
    expect(defaults.url.reveal().toString()).toBe(URL);
    expect({ ...defaults, url: undefined }).toEqual({
      url: undefined,
      exchange: 'ipn.events',
      events: ['*'],
      confirmTimeoutMs: 10_000,
      maxAttempts: 15,
      reconnectMs: 5000,
    });
    const set = loadConfig({
      ...base,
      AMQP_URL: URL,
      AMQP_EXCHANGE: 'shop.ipn',
      AMQP_EVENTS: 'order.*, subscription.renewed',
      AMQP_CONFIRM_TIMEOUT_MS: '2000',
      AMQP_MAX_ATTEMPTS: '5',
      AMQP_RECONNECT_MS: '1000',
    }).amqp!;
    expect({ ...set, url: undefined }).toEqual({
      url: undefined,
      exchange: 'shop.ipn',
      events: ['order.*', 'subscription.renewed'],
      confirmTimeoutMs: 2000,
      maxAttempts: 5,
      reconnectMs: 1000,
    });
  });

  it.each([
    [{ AMQP_URL: 'http://mq' }, /^AMQP_URL: must be an amqp:\/\/ or amqps:\/\/ URL/],
    [{ AMQP_URL: URL, AMQP_EXCHANGE: 'amq.topic' }, /^AMQP_EXCHANGE: .*not starting with amq\./],
    [{ AMQP_URL: URL, AMQP_EXCHANGE: 'has space' }, /^AMQP_EXCHANGE: must be letters/],
    [{ AMQP_URL: URL, AMQP_EVENTS: 'order.*,,' }, /^AMQP_EVENTS: "" is not an event name/],
    [{ AMQP_URL: URL, AMQP_CONFIRM_TIMEOUT_MS: '10s' }, /^AMQP_CONFIRM_TIMEOUT_MS: must be a whole number/],
    [{ AMQP_URL: URL, AMQP_MAX_ATTEMPTS: '0' }, /^AMQP_MAX_ATTEMPTS: /],
    [{ AMQP_URL: URL, AMQP_RECONNECT_MS: '5' }, /^AMQP_RECONNECT_MS: /],
  ])('stops on a bad value, naming the variable (%j)', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('never prints the URL (it carries the password)', () => {
    const config = loadConfig({ ...base, AMQP_URL: URL });
    for (const text of [inspect(config, { depth: 10 }), JSON.stringify(config)]) expect(text).not.toContain('broker-password-42');
    expect(() => loadConfig({ ...base, AMQP_URL: `${URL} x` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('broker-password-42') }),
    );
  });
});
