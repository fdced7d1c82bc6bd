import { connect } from 'node:net';

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  head: string;
  body: Buffer;
}

/**
 * Writes `request` byte for byte on a fresh TCP connection (no HTTP client to tidy it up) and reads until
 * the server closes. `halfClose`: then closes our side, as a client that sent less than it declared does
 * (Node's server then drops the request). A server that neither answers nor closes fails after `timeoutMs`.
 */
export function rawRequest(port: number, request: Buffer, halfClose = false, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => socket.end()); // the server is done: close our side too
    socket.on('error', () => undefined); // a reset after the answer is the server's right
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = withoutInterimResponses(Buffer.concat(chunks));
      const headEnd = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, headEnd === -1 ? raw.length : headEnd).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: headEnd === -1 ? Buffer.alloc(0) : raw.subarray(headEnd + 4) });
    });
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

/** Drops `HTTP/1.1 100 Continue` and the like before the final answer. */
function withoutInterimResponses(raw: Buffer): Buffer {
  let at = 0;
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.toString('latin1', at, at + 13))) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    at = end + 4;
  }
  return raw.subarray(at);
}

/** An HTTP/1.1 POST as bytes; `headers` are written as given, in order, so they can lie. */
export function rawPost(path: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Buffer {
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers.map(([n, v]) => `${n}: ${v}`)];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
