/** The broker's URL fit for a log line: its password replaced (`amqp://app:***@mq.internal:5672/prod`). */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the broker (AMQP_URL)';
  }
}

/** A client's error message with the URL's password masked, wherever it might appear (as is, or URL-encoded). */
export function withoutPassword(text: string, url: string): string {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (!password) return text;
  const forms = new Set([password]);
  try {
    forms.add(decodeURIComponent(password));
  } catch {
    // Not percent-encoded text: the raw form is the only one.
  }
  return [...forms].reduce((masked, secret) => masked.split(secret).join('***'), text);
}
