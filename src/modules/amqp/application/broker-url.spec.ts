import { redactedUrl, withoutPassword } from './broker-url';

describe('the broker URL in log lines', () => {
  it('shows where, never the password', () => {
    expect(redactedUrl('amqp://app:s3cr%40t@mq.internal:5672/prod')).toBe('amqp://app:***@mq.internal:5672/prod');
    expect(redactedUrl('amqps://mq.internal')).toBe('amqps://mq.internal');
    expect(redactedUrl('not a url s3cret')).toBe('the broker (AMQP_URL)');
  });

  it('masks the password in a client’s message, as written in the URL and decoded', () => {
    const url = 'amqp://app:s3cr%40t@mq.internal';
    expect(withoutPassword('login s3cr@t refused; amqp://app:s3cr%40t@mq.internal', url)).toBe(
      'login *** refused; amqp://app:***@mq.internal',
    );
    expect(withoutPassword('nothing to hide', 'amqp://mq.internal')).toBe('nothing to hide');
  });
});
