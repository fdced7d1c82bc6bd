import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/** Where Debian, Ubuntu and Google's packages put the browser; CHROMIUM_PATH first. */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable'];
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export type ChromiumLookup = { path: string } | { path: undefined; reason: string };

/**
 * A Chromium for the browser tests: found, or installed with apt-get when this process is root on a
 * Debian-like system (Playwright's own download is not an option: its CDN is not always reachable). The
 * package lists are refreshed only if the first attempt fails, which keeps a warm machine fast.
 * Synchronous, so that a test file can decide between `describe` and `describe.skip` as it loads.
 */
export function findOrInstallChromium(): ChromiumLookup {
  const found = () => CANDIDATES.find((path): path is string => !!path && existsSync(path));
  if (found()) return { path: found()! };
  if (process.getuid?.() !== 0)
    return { path: undefined, reason: 'no chromium found, and not root to apt-get install it (set CHROMIUM_PATH)' };
  if (!existsSync('/usr/bin/apt-get'))
    return { path: undefined, reason: 'no chromium found, and no apt-get to install it (set CHROMIUM_PATH)' };
  const apt = (...args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], {
      stdio: 'ignore',
      timeout: INSTALL_TIMEOUT_MS,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  const install = () => apt('install', '-y', '--no-install-recommends', 'chromium');
  try {
    try {
      install();
    } catch {
      apt('update');
      install();
    }
  } catch (error) {
    return { path: undefined, reason: `no chromium found, and apt-get install chromium failed: ${(error as Error).message}` };
  }
  return found() ? { path: found()! } : { path: undefined, reason: 'apt-get installed chromium, but no binary where expected' };
}

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a new, empty profile. As root Chromium refuses to start without --no-sandbox;
 * the other flags keep it from talking to anything but the app under test.
 */
export async function launchChromium(executablePath: string): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
