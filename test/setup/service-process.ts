import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from './create-test-app';
import { freePort, waitForOutput } from './processes';

const ROOT = resolve(__dirname, '..', '..');

/**
 * A copy of the project (sources, package.json, tsconfig, node_modules linked), built with `npm run
 * build`: the service run
 * as production runs it, from its own `dist/`, which no other test file's build rewrites meanwhile.
 */
export function builtServiceCopy(options: { alsoBuild?: readonly string[] } = {}): { folder: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'ipn-service-'));
  for (const entry of ['src', 'bench', 'examples', 'package.json', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(ROOT, entry), join(folder, entry), { recursive: true });
  }
  // Entry points of one's own (an example's main.ts): built with the rest, into dist/ beside src/.
  if (options.alsoBuild?.length) {
    const buildConfig = JSON.parse(readFileSync(join(folder, 'tsconfig.build.json'), 'utf8'));
    buildConfig.include.push(...options.alsoBuild);
    writeFileSync(join(folder, 'tsconfig.build.json'), JSON.stringify(buildConfig));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'));
  // The project's own build (compile, then copy what it copies).
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: folder, stdio: 'ignore' });
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** When and how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The last of what it printed (stdout and stderr). */
  output(): string;
}

/**
 * Starts `node dist/src/main.js` (or `npm start`, in a process group of its own) in `folder`, with the
 * test key and admin token on a free port; resolves once it listens. Without `DATABASE_URL` in `env`
 * it runs on the embedded database (DATA_DIR).
 */
export async function startService(
  folder: string,
  env: NodeJS.ProcessEnv,
  how: 'node' | 'npm start' = 'node',
  readyWithinMs = 60_000,
  script = 'dist/src/main.js',
): Promise<ServiceProcess> {
  const port = await freePort();
  const inherited = { ...process.env };
  // Never the test run's own database settings: only what `env` says.
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'IPN_TEST_EMBEDDED_SERVER_URL', 'CHAOS']) delete inherited[name];
  const childEnv = {
    ...inherited,
    PORT: String(port),
    IPN_SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'log',
    ...env,
  };
  const child =
    how === 'node'
      ? spawn(process.execPath, [script], { cwd: folder, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('npm', ['start'], { cwd: folder, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let printed = '';
  const keep = (chunk: Buffer) => void (printed = (printed + chunk.toString()).slice(-30_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    at: Date.now(),
  }));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, fail) => (timer = setTimeout(() => fail(new Error(`not listening within ${readyWithinMs} ms`)), readyWithinMs)),
  );
  try {
    await Promise.race([waitForOutput(child, 'Listening on'), late]);
  } catch (error) {
    if (how === 'node') child.kill('SIGKILL');
    else process.kill(-child.pid!, 'SIGKILL');
    throw new Error(`${(error as Error).message}\n${printed}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return { child, baseUrl: `http://127.0.0.1:${port}`, exited, output: () => printed };
}

export async function kill9(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  await service.exited;
}

/** Live processes whose command line contains `text`. */
export function processesWith(text: string): Array<{ pid: number; command: string }> {
  return livePids().flatMap((pid) => {
    const command = read(`/proc/${pid}/cmdline`).split('\0').join(' ');
    return command.includes(text) && pid !== process.pid ? [{ pid, command }] : [];
  });
}

/** Live processes of a process group. */
export function processGroup(pgid: number): number[] {
  return livePids().filter((pid) => {
    const stat = read(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // state, ppid, pgrp: a zombie is gone already.
    return fields[0] !== 'Z' && Number(fields[2]) === pgid;
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !read(`/proc/${pid}/stat`).includes(') Z ');
  } catch {
    return false;
  }
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
