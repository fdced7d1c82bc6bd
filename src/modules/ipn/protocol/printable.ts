/**
 * Text from a request made fit for an error message, a log line and a PostgreSQL text column: control
 * characters (NUL included, which PostgreSQL text cannot hold) written as `\xNN`, and at most
 * `maxLength` characters in all, so a forger decides neither the shape nor the size of what we write.
 */
export function printable(text: string, maxLength: number): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.slice(0, maxLength).replace(/[\x00-\x1f\x7f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > maxLength || escaped.length > maxLength ? `${escaped.slice(0, maxLength - 1)}…` : escaped;
}
