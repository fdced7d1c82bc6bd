import { parseArgs } from 'node:util';
import type { CliIo } from '../cli-io';
import { UsageError } from '../cli-io';
import { adminCall } from './admin-api';

const API = { api: { type: 'string' } } as const;

export const OPERATIONS_USAGE = `replay <notification id> | replay --from ISO --to ISO   re-runs the processing (idempotent)
  dead-letters                                          lists events whose delivery was given up
  retry <dead letter id>                                puts a dead letter back in the queue
  (through the running service's admin API: ADMIN_TOKEN, --api http://127.0.0.1:3000)`;

export async function replay(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...API, from: { type: 'string' }, to: { type: 'string' } },
  });
  if (positionals.length === 1 && !values.from && !values.to) {
    await adminCall(io, values.api, 'POST', `/api/ipn/messages/${encodeURIComponent(positionals[0])}/replay`);
    io.out(`Notification ${positionals[0]} queued for processing again.`);
    return 0;
  }
  if (positionals.length === 0 && values.from && values.to) {
    const result = (await adminCall(io, values.api, 'POST', '/api/ipn/messages/replay', { from: values.from, to: values.to })) as {
      replayed: number;
      from: string;
      to: string;
    };
    io.out(`${result.replayed} notification(s) received from ${result.from} to ${result.to} queued for processing again.`);
    return 0;
  }
  throw new UsageError('replay takes a notification id, or --from and --to');
}

interface DeadLetter {
  id: string;
  name: string;
  orderRef: string | null;
  notificationId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

export async function deadLetters(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...API, json: { type: 'boolean', default: false } } });
  const letters = (await adminCall(io, values.api, 'GET', '/api/events/dead-letters')) as DeadLetter[];
  if (values.json) {
    io.out(JSON.stringify(letters, null, 2));
    return 0;
  }
  if (letters.length === 0) io.out('No dead letters.');
  for (const letter of letters) {
    io.out(
      `${letter.id}  ${letter.name}  REFNO ${letter.orderRef ?? '-'}  notification ${letter.notificationId ?? '-'}  ` +
        `${letter.attempts} attempt(s)  since ${letter.createdAt}\n    ${letter.lastError ?? ''}`,
    );
  }
  return 0;
}

export async function retry(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: API });
  if (positionals.length !== 1) throw new UsageError('retry takes one dead letter id');
  await adminCall(io, values.api, 'POST', `/api/events/${encodeURIComponent(positionals[0])}/retry`);
  io.out(`Dead letter ${positionals[0]} queued again with fresh attempts.`);
  return 0;
}
