import { LookupAddress, lookup as dnsLookup } from 'node:dns';
import http, { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkDestination, refusedAddress } from '../domain/destination';

/** Characters of a response body kept for the attempt's error. */
const EXCERPT_CHARS = 200;
/** Bytes of a response body read at most (for the excerpt); the rest is not read. */
const EXCERPT_BYTES = 1024;

export interface SendRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  readonly signal: AbortSignal;
}

/** What came of one POST: an answer (any status), or none (`error` says why). */
export interface SendOutcome {
  readonly status: number | null;
  readonly headers: IncomingHttpHeaders;
  /** The start of a non-2xx answer's body, printable, at most 200 characters. */
  readonly excerpt: string;
  readonly durationMs: number;
  readonly error: string | null;
}

/** How the errors of attempts without an answer begin (the endpoint is silent, not refusing). */
export const NO_ANSWER = 'no answer';
export const CONNECTION_FAILED = 'connection failed';

/** A destination the SSRF rules refuse (see domain/destination.ts), found when connecting. */
export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}

/**
 * POSTs one webhook with node:http(s): no redirects followed, no connection kept (each delivery connects
 * anew, so each connection is checked), cut off at `timeoutMs` (connecting, waiting and reading all
 * count). Unless private destinations are allowed, every address the host name resolves to is checked
 * before connecting (a custom `lookup`), so a name resolving to 127.0.0.1 is refused as 127.0.0.1 is.
 */
export function send(request: SendRequest): Promise<SendOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: string): SendOutcome => ({ status: null, headers: {}, excerpt: '', durationMs: elapsed(), error });
  const check = checkDestination(request.url, request.allowPrivate);
  if (!check.ok) return Promise.resolve(fail(`refused: the URL ${check.reason}`));
  const { url } = check;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      outgoing.destroy();
      resolve(outcome);
    };
    const outgoing = client.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(request.body.length) },
      agent: false,
      lookup: request.allowPrivate ? undefined : checkedLookup,
    });
    const timer = setTimeout(() => settle(fail(`${NO_ANSWER} within ${request.timeoutMs} ms`)), request.timeoutMs);
    const onAbort = () => settle(fail(`abandoned: ${(request.signal.reason as Error | undefined)?.message ?? 'aborted'}`));
    request.signal.addEventListener('abort', onAbort, { once: true });
    outgoing.on('error', (error: Error) =>
      settle(fail(error instanceof DestinationRefused ? `refused: ${error.message}` : `${CONNECTION_FAILED}: ${describe(error)}`)),
    );
    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const answered = (excerpt: string) => settle({ status, headers: response.headers, excerpt, durationMs: elapsed(), error: null });
      // A success's body is not read; a failure's start is kept for the attempt log.
      if (status >= 200 && status < 300) return answered('');
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= EXCERPT_BYTES) answered(excerptOf(chunks));
      });
      response.on('end', () => answered(excerptOf(chunks)));
      response.on('error', () => answered(excerptOf(chunks)));
    });
    outgoing.end(request.body);
  });
}

/** dns.lookup, refusing the name when any address it resolves to is refused. */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.map(({ address }) => ({ address, reason: refusedAddress(address) })).find(({ reason }) => reason);
    if (refused) {
      return callback(
        new DestinationRefused(`${hostname} resolves to ${refused.address}, ${refused.reason}`) as NodeJS.ErrnoException,
        '',
        0,
      );
    }
    if (options.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

/** An error's code, else its message: never the URL (it may carry a token). */
function describe(error: NodeJS.ErrnoException): string {
  return error.code ?? error.message;
}

function excerptOf(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
  // Control characters (and bytes that were no UTF-8) become spaces: the excerpt is shown and logged.
  const printable = [...text].map((char) => (char < ' ' || char === '\u007f' || char === '\ufffd' ? ' ' : char)).join('');
  return printable.replace(/ {2,}/g, ' ').trim().slice(0, EXCERPT_CHARS);
}
