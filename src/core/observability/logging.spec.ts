import { prettyLogs } from './logging';
import { maskSecretParameters } from './mask';

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(prettyLogs(undefined, true)).toBe(true);
    expect(prettyLogs(undefined, false)).toBe(false);
    expect(prettyLogs('json', true)).toBe(false);
    expect(prettyLogs('pretty', false)).toBe(true);
  });
});

describe('secret query parameters in logged URLs', () => {
  it('masks one-time codes and tokens, and nothing else', () => {
    expect(maskSecretParameters('/console/login/link?code=Abc_123-x')).toBe('/console/login/link?code=[redacted]');
    expect(maskSecretParameters('/x?a=1&token=s3cret&b=2')).toBe('/x?a=1&token=[redacted]&b=2');
    expect(maskSecretParameters('/api/ipn/messages?refNo=123&status=COMPLETE')).toBe('/api/ipn/messages?refNo=123&status=COMPLETE');
    expect(maskSecretParameters('/api/x?barcode=1')).toBe('/api/x?barcode=1');
  });
});
