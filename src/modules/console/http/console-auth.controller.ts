import { Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleAuditService, SIGN_IN_ACTION } from '../application/console-audit.service';
import { ConsoleSessionsService, SESSION_TTL_MS } from '../application/console-sessions.service';
import { FailedSignInsService } from '../application/failed-sign-ins.service';
import { newSessionId, sessionReference } from '../application/session-id';
import { SignInLinkService } from '../application/sign-in-link.service';
import { loginPage } from './console-pages';
import { sendHtml } from './send-html';
import { assertSameOrigin } from './same-origin';
import { expiredSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';
import { SignInThrottleGuard } from './sign-in-throttle.guard';
import { SignInThrottledFilter } from './sign-in-throttled.filter';

const CONSOLE_OFF = 'The console is off: set ADMIN_TOKEN to use it.';
const USE_THE_LINK = 'No ADMIN_TOKEN is set: open the one-time sign-in link printed on the service’s terminal.';
const LINK_REFUSED =
  'This sign-in link was used already, has expired, or was not opened on the service’s machine. Restart the service for a new one, or set ADMIN_TOKEN.';

/**
 * Signing in with ADMIN_TOKEN (a plain form: the token goes in a POST body, never in a URL), or without
 * one through the one-time link printed on the terminal (SignInLink), and out. Attempts are throttled
 * per address; each success is audited, failures sampled and counted.
 */
@Controller('console')
export class ConsoleAuthController {
  constructor(
    private readonly sessions: ConsoleSessionsService,
    private readonly audit: ConsoleAuditService,
    private readonly failures: FailedSignInsService,
    private readonly link: SignInLinkService,
  ) {}

  @Get('login')
  form(@Res() response: Response): void {
    sendHtml(response, 200, loginPage(this.notice()));
  }

  /**
   * The printed link. Its code is spent here (the URL then leaves the address bar by the redirect, and
   * request logs mask it); only the socket's own address counts as "this machine", never a forwarded one.
   */
  @Get('login/link')
  @UseGuards(SignInThrottleGuard)
  @UseFilters(SignInThrottledFilter)
  async signInByLink(@Req() request: Request, @Res() response: Response, @Query('code') code?: unknown): Promise<void> {
    if (!this.link.redeem(typeof code === 'string' ? code : '', request.socket.remoteAddress)) {
      await this.failures.record(request.ip, 'sign-in link refused');
      return sendHtml(response, 401, loginPage(this.sessions.isAdminTokenSet ? undefined : LINK_REFUSED));
    }
    await this.openSession(request, response);
  }

  @Post('login')
  @UseGuards(SignInThrottleGuard)
  @UseFilters(SignInThrottledFilter)
  async login(@Req() request: Request, @Res() response: Response): Promise<void> {
    assertSameOrigin(request, { fromScript: false });
    // Form bodies reach handlers as bytes (bootstrap.ts: the notifications' raw parser).
    const form = new URLSearchParams(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
    if (!this.sessions.isAdminToken(form.get('token') ?? '')) {
      await this.failures.record(request.ip, this.sessions.isAdminTokenSet ? 'wrong token' : 'ADMIN_TOKEN unset');
      return sendHtml(response, 401, loginPage(this.sessions.isAdminTokenSet ? 'That is not the admin token.' : this.notice()));
    }
    await this.openSession(request, response);
  }

  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    assertSameOrigin(request, { fromScript: false });
    await this.sessions.close(sessionIdOf(request));
    response.setHeader('Set-Cookie', expiredSessionCookie(request));
    response.redirect(303, '/console/login');
  }

  private async openSession(request: Request, response: Response): Promise<void> {
    const id = newSessionId();
    await this.audit.run(request, SIGN_IN_ACTION, sessionReference(id), () => this.sessions.open(id));
    response.setHeader('Set-Cookie', sessionCookie(request, id, SESSION_TTL_MS));
    response.redirect(303, '/console');
  }

  /** What the sign-in page says before anyone typed anything. */
  private notice(): string | undefined {
    if (this.sessions.isAdminTokenSet) return undefined;
    return this.link.wasOffered ? USE_THE_LINK : CONSOLE_OFF;
  }
}
