import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigurationError } from '../config/configuration.error';
import { CliIo, UsageError, terminal } from './cli-io';
import { OPERATIONS_USAGE, deadLetters, replay, retry } from './commands/operations.command';
import { SEND_USAGE, send } from './commands/send.command';
import { VERIFY_USAGE, verify } from './commands/verify.command';

export const USAGE = `Usage: npm run ipn -- <command> [options]

  ${SEND_USAGE}

  ${OPERATIONS_USAGE}

  ${VERIFY_USAGE}`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  send,
  replay,
  'dead-letters': deadLetters,
  retry,
  verify,
};

/** Runs one command; returns the exit code. Errors are printed, never thrown. */
export async function run(argv: string[], io: CliIo = terminal): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command || rest.includes('--help')) {
    (command || name === '--help' || name === 'help' ? io.out : io.err)(USAGE);
    return command || name === '--help' || name === 'help' ? 0 : 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(error instanceof ConfigurationError ? `Configuration error: ${error.message}` : (error as Error).message);
    return 1;
  }
}

if (require.main === module) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  void run(process.argv.slice(2)).then((code) => process.exit(code));
}
