import type { IncomingMessage } from 'node:http';

/** /ipn, /lcn, /ipn/:listener, /lcn/:listener (a trailing slash or a query string allowed). */
const NOTIFICATION_PATH = /^\/(ipn|lcn)(?:\/([^/?]*))?\/?(?:\?|$)/;

/** A notification POST's kind and the listener named in its URL (undefined: the default one); null for any other request. */
export function notificationPostOf(request: IncomingMessage): { kind: 'ipn' | 'lcn'; listener: string | undefined } | null {
  if (request.method !== 'POST') return null;
  const path = NOTIFICATION_PATH.exec(request.url ?? '');
  return path ? { kind: path[1] as 'ipn' | 'lcn', listener: path[2] } : null;
}
