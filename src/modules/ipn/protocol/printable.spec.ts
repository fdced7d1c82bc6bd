import fc from 'fast-check';
import { printable } from './printable';

describe('printable', () => {
  it('writes control characters as \\xNN and leaves other text alone', () => {
    expect(printable('A\u0000B\nC\u007fé東', 100)).toBe('A\\x00B\\x0aC\\x7fé東');
  });

  it('cuts long text, marking the cut', () => {
    expect(printable('x'.repeat(10), 4)).toBe('xxx…');
    expect(printable('xxxx', 4)).toBe('xxxx');
    expect(printable('\u0000\u0000', 4)).toBe('\\x0…');
  });

  it('never returns more than maxLength characters, nor a NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 80 }), (text, max) => {
        const result = printable(text, max);
        expect(result.length).toBeLessThanOrEqual(max);
        expect(result).not.toContain('\u0000');
      }),
    );
  });
});
