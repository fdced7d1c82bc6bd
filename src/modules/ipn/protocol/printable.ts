/**
 * Text from a request made fit for an error message, a log line and a PostgreSQL text column: control
 * characters (NUL included, which PostgreSQL text cannot hold) written as `\xNN`, and at most
 * `maxLength` characters, so a forger decides neither the shape nor the size of what we write.
 */
export function printable(text: string, maxLength: number): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\x00-\x1f\x7f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
