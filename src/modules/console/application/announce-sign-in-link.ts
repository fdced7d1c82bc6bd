import { SIGN_IN_LINK_TTL_MS, SignInLinkService } from './sign-in-link.service';

/** Where the link may be printed: standard output, when a person is reading it. */
export interface Terminal {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Prints the one-time console sign-in link, only when `terminal` is a terminal (a person reads it: never
 * into a file or a log collector) and no ADMIN_TOKEN is set. Written to the terminal directly, not
 * through the logger, so that no log line carries it. Returns whether it printed one.
 */
export function announceSignInLink(link: SignInLinkService, baseUrl: string, terminal: Terminal): boolean {
  if (terminal.isTTY !== true) return false;
  const code = link.issue();
  if (code === undefined) return false;
  const minutes = SIGN_IN_LINK_TTL_MS / 60_000;
  terminal.write(
    `\n  Web console: ${baseUrl}/console/login/link?code=${code}\n` +
      `  (a one-time sign-in link: valid once, for ${minutes} minutes, from this machine only; set ADMIN_TOKEN for lasting access)\n\n`,
  );
  return true;
}
