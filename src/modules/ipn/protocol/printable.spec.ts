import { printable } from './printable';

describe('printable', () => {
  it('writes control characters as \\xNN and leaves other text alone', () => {
    expect(printable('A\u0000B\nC\u007fé東', 100)).toBe('A\\x00B\\x0aC\\x7fé東');
  });

  it('cuts long text, marking the cut', () => {
    expect(printable('x'.repeat(10), 4)).toBe('xxxx…');
    expect(printable('xxxx', 4)).toBe('xxxx');
  });
});
