import { Webhook } from 'standardwebhooks';
import { newSecret, secretKey, signatureHeader } from './signature';

describe('signatureHeader', () => {
  const body = Buffer.from(JSON.stringify({ type: 'order.completed', data: { name: 'Zoë Ångström 李' } }), 'utf8');

  it('is what the standardwebhooks package computes, over the same bytes', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const at = new Date(1764000000_000);
    expect(signatureHeader([secretKey(secret)], 'msg_1', 1764000000, body)).toBe(new Webhook(secret).sign('msg_1', at, body));
  });

  it('carries one signature per key, each verifying on its own', () => {
    const [current, previous] = [newSecret(), newSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader([secretKey(current), secretKey(previous)], 'evt', timestamp, body);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': 'evt', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body.toString()));
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow(/No matching signature/);
  });

  it('changes with a single byte of the body', () => {
    const key = secretKey(newSecret());
    const other = Buffer.from(body);
    other[other.length - 2] ^= 1;
    expect(signatureHeader([key], 'evt', 1, body)).not.toBe(signatureHeader([key], 'evt', 1, other));
  });
});
