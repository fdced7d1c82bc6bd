import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { HttpDrain } from './http-drain';

export interface GracefulShutdownOptions {
  readonly app: INestApplication;
  /** Closed after the app (and so its connection pool): the embedded database. */
  readonly database: { close(): Promise<void> };
  /** From the signal to exit at the latest; past it the process exits with code 1. */
  readonly timeoutMs: number;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * On SIGTERM or SIGINT: stop accepting and answer what is in flight (keep-alive connections closed
 * after their answer), close the app (the relay and mail stages finish or roll back their rounds,
 * the group commit its batches, then the pool closes), stop the database, exit 0. A hard deadline
 * bounds it all: past `timeoutMs` the process logs what it was waiting for and exits 1 (an embedded
 * database still running is told to stop fast as the process exits). A second signal changes
 * nothing: `npm start` passes one on to the service besides the one the process group got.
 *
 * Install before `listen`: requests are tracked from the first.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): void {
  const logger = new Logger('Shutdown');
  const drain = new HttpDrain(options.app.getHttpServer() as Server);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let started: number | undefined;
  let step = 'answering requests in flight';

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (started !== undefined) {
      logger.log(`${signal} again: already stopping (${step}, ${Date.now() - started} ms in)`);
      return;
    }
    started = Date.now();
    const deadline = setTimeout(() => {
      logger.error(`Not stopped within ${options.timeoutMs} ms (still ${step}, ${drain.pending} requests unanswered): exiting with code 1`);
      process.exit(1);
    }, options.timeoutMs);
    logger.log(`${signal}: stopping (at most ${options.timeoutMs} ms); ${drain.pending} requests in flight`);
    try {
      // Half the time for clients; the rest is for the app's own work and the database.
      if (!(await drain.drain(Math.floor(options.timeoutMs / 2)))) {
        logger.warn(`Connections still open after ${Math.floor(options.timeoutMs / 2)} ms were closed unanswered`);
      }
      step = 'closing the app (delivery rounds, batches, connection pool)';
      await options.app.close();
      step = 'stopping the database';
      await options.database.close();
    } catch (error) {
      clearTimeout(deadline);
      logger.error(`Stopping failed while ${step}: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    }
    clearTimeout(deadline);
    logger.log(`Stopped in ${Date.now() - started} ms`);
    process.exit(0);
  };

  for (const signal of signals) process.on(signal, (received: NodeJS.Signals) => void shutdown(received));
}
