import type { CliIo } from '../cli-io';
import { UsageError } from '../cli-io';

/** Calls the running service's admin API with ADMIN_TOKEN (from the environment or .env). */
export async function adminCall(
  io: CliIo,
  api: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = io.env.ADMIN_TOKEN;
  if (!token) throw new UsageError('set ADMIN_TOKEN (the service’s admin token) in the environment or .env');
  const base = (api ?? `http://127.0.0.1:${io.env.PORT ?? 3000}`).replace(/\/$/, '');
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const { code, message } = (parsed ?? {}) as { code?: string; message?: string };
    throw new Error(`${method} ${path}: HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`);
  }
  return parsed;
}
