import { Server, Socket, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Accepts connections and never writes a byte. */
export async function stallingServer(port = 0): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => accepted,
    close: async () => {
      const closed = new Promise((done) => server.close(done));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export interface MailTransaction {
  from: string;
  to: string[];
  data: string;
}

/** Just enough SMTP for nodemailer: greeting, EHLO/HELO, MAIL, RCPT, DATA (to CRLF.CRLF), RSET, NOOP, QUIT. */
export async function fakeSmtpServer(port: number): Promise<{ received: MailTransaction[]; close(): Promise<void> }> {
  const received: MailTransaction[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let transaction: MailTransaction = { from: '', to: [], data: '' };
    socket.write('220 fake.smtp.test ESMTP ready\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          received.push({ ...transaction, data: buffer.slice(0, end) });
          buffer = buffer.slice(end + 5);
          inData = false;
          transaction = { from: '', to: [], data: '' };
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake.smtp.test\r\n');
        else if (verb === 'MAIL') {
          transaction = { from: /<(.*)>/.exec(line)?.[1] ?? '', to: [], data: '' };
          socket.write('250 2.1.0 ok\r\n');
        } else if (verb === 'RCPT') {
          transaction.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          socket.write('250 2.1.5 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 end with <CRLF>.<CRLF>\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 ok\r\n');
        else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        } else socket.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    received,
    close: async () => {
      const closed = new Promise((done) => server.close(done));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

export function subjectOf(data: string): string {
  const headers = data.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
  return /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
}
