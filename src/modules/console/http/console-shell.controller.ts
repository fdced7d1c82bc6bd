import { Controller, Get, HttpStatus, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { AppException, ErrorCode } from '../../../core/errors';
import { ConsoleSessions } from '../application/console-sessions.service';
import { CONSOLE_PAGES, shellPage } from './console-pages';
import { sendHtml } from './send-html';
import { sessionIdOf } from './session-cookie';

/** Copied beside the compiled code by `npm run build`. */
const ASSETS_DIR = join(__dirname, '..', 'assets');
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's pages (one document; its script draws the page the path names) and their scripts. */
@Controller('console')
export class ConsoleShellController {
  /** Only the files that were there at start can be asked for: no path from a URL reaches the disk. */
  private readonly assets = new Set(readdirSync(ASSETS_DIR).filter((name) => extname(name) in CONTENT_TYPES));

  constructor(private readonly sessions: ConsoleSessions) {}

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    if (!this.assets.has(name)) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No console asset ${name}.`);
    response.setHeader('Content-Type', CONTENT_TYPES[extname(name)]);
    // Revalidated on each load (ETag): a new build's scripts are picked up at once.
    response.sendFile(name, { root: ASSETS_DIR, headers: { 'Cache-Control': 'no-cache' } });
  }

  @Get([...CONSOLE_PAGES.map(([path]) => path), 'orders/:refNo'])
  page(@Req() request: Request, @Res() response: Response): void {
    if (!this.sessions.isActive(sessionIdOf(request))) return response.redirect(303, '/console/login');
    sendHtml(response, 200, shellPage());
  }
}
