import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConsoleSessions, SESSION_TTL_MS } from '../application/console-sessions.service';
import { loginPage } from './console-pages';
import { sendHtml } from './send-html';
import { assertSameOrigin } from './same-origin';
import { expiredSessionCookie, sessionCookie, sessionIdOf } from './session-cookie';

/** Signing in with ADMIN_TOKEN (a plain form: the token goes in a POST body, never in a URL) and out. */
@Controller('console')
export class ConsoleAuthController {
  constructor(private readonly sessions: ConsoleSessions) {}

  @Get('login')
  form(@Res() response: Response): void {
    sendHtml(response, 200, loginPage(this.sessions.enabled ? undefined : 'The console is off: set ADMIN_TOKEN to use it.'));
  }

  @Post('login')
  login(@Req() request: Request, @Res() response: Response): void {
    assertSameOrigin(request, { fromScript: false });
    // Form bodies reach handlers as bytes (bootstrap.ts: the notifications' raw parser).
    const form = new URLSearchParams(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
    const id = this.sessions.open(form.get('token') ?? '');
    if (!id) {
      const message = this.sessions.enabled ? 'That is not the admin token.' : 'The console is off: set ADMIN_TOKEN to use it.';
      return sendHtml(response, 401, loginPage(message));
    }
    response.setHeader('Set-Cookie', sessionCookie(request, id, SESSION_TTL_MS));
    response.redirect(303, '/console');
  }

  @Post('logout')
  logout(@Req() request: Request, @Res() response: Response): void {
    assertSameOrigin(request, { fromScript: false });
    this.sessions.close(sessionIdOf(request));
    response.setHeader('Set-Cookie', expiredSessionCookie(request));
    response.redirect(303, '/console/login');
  }
}
