import { Controller, Get, HttpStatus, Logger, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { AppException, ErrorCode } from '../../../core/errors';
import { ConsoleSessionsService } from '../application/console-sessions.service';
import { CONSOLE_PAGES, shellPage } from './console-pages';
import { sendHtml } from './send-html';
import { sessionIdOf } from './session-cookie';

/**
 * Beside this code: in src/ when run from the sources, in dist/ once `npm run build` has copied them. A
 * build by tsc alone copies nothing; its dist/ sits beside the sources, whose folder is then used.
 */
const ASSET_DIRS = [join(__dirname, '..', 'assets'), join(__dirname, '../../../../../src/modules/console/assets')];
const ASSETS_DIR = ASSET_DIRS.find((dir) => existsSync(dir));
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's pages (one document; its script draws the page the path names) and their scripts. */
@Controller('console')
export class ConsoleShellController {
  /** Only the files that were there at start can be asked for: no path from a URL reaches the disk. */
  private readonly assets = new Set(ASSETS_DIR ? readdirSync(ASSETS_DIR).filter((name) => extname(name) in CONTENT_TYPES) : []);

  constructor(private readonly sessions: ConsoleSessionsService) {
    // The console is no reason to refuse notifications: the service starts, and says what is missing.
    if (!ASSETS_DIR) new Logger('Console').warn(`No console assets beside ${__dirname}: /console has no pages (build with npm run build)`);
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() response: Response): void {
    if (!this.assets.has(name)) throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.NotFound, `No console asset ${name}.`);
    response.setHeader('Content-Type', CONTENT_TYPES[extname(name)]);
    // Revalidated on each load (ETag): a new build's scripts are picked up at once.
    response.sendFile(name, { root: ASSETS_DIR, headers: { 'Cache-Control': 'no-cache' } });
  }

  @Get([...CONSOLE_PAGES.map(([path]) => path), 'orders/:refNo', 'webhooks/:id'])
  async page(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!(await this.sessions.isActive(sessionIdOf(request)))) return response.redirect(303, '/console/login');
    sendHtml(response, 200, shellPage());
  }
}
