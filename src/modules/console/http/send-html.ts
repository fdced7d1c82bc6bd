import type { Response } from 'express';

/** A console document: never cached, since what it may show depends on the session. */
export function sendHtml(response: Response, status: number, html: string): void {
  response.status(status).setHeader('Cache-Control', 'no-store').type('html').send(html);
}
