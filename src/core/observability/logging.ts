import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, LevelWithSilent, Logger, LoggerOptions } from 'pino';
import type { AppConfig } from '../../config/app.config';
import { maskEmail, maskEmailsIn, maskName, maskSecretParameters } from './mask';

const PINO_LEVELS: Record<string, LevelWithSilent> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Fields never written as they are. Secrets and bodies are replaced; emails and names are masked, so a
 * line still tells which customer it was about. (Messages are masked for emails as well: see hooks.)
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  '*.secretKey',
  '*.secretKeys',
  'token',
  '*.token',
  '*.adminToken',
  'smtpUrl',
  '*.smtpUrl',
  'rawBody',
  '*.rawBody',
  'body',
  '*.body',
  'email',
  '*.email',
  '*.customerEmail',
  '*.firstName',
  '*.lastName',
  'firstName',
  'lastName',
];

const EMAIL_FIELDS = new Set(['email', 'customerEmail']);
const NAME_FIELDS = new Set(['firstName', 'lastName']);

function censor(value: unknown, path: string[]): unknown {
  const field = path[path.length - 1];
  if (EMAIL_FIELDS.has(field)) return maskEmail(value);
  if (NAME_FIELDS.has(field)) return maskName(value);
  return '[redacted]';
}

/** pino's options for LOG_LEVEL and LOG_FORMAT, with redaction and masking. */
export function pinoOptions(config: AppConfig, toTerminal: boolean): LoggerOptions {
  const level = PINO_LEVELS[config.logLevels.at(-1) ?? 'log'];
  return {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED, censor },
    // The level as a word ("error"): what people grep for. (pino-pretty formats levels itself.)
    formatters: toTerminal ? {} : { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = maskEmailsIn(args[i] as string);
        method.apply(this, args as Parameters<typeof method>);
      },
    },
    ...(toTerminal
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

/** A notification POST is logged once, with its facts, by the IPN module's observer; probes are not logged. */
function quiet(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url.startsWith('/health/') || url === '/metrics' || (request.method === 'POST' && /^\/(ipn|lcn)(\/|\?|$)/.test(url));
}

/** Coloured lines for a person at a terminal, JSON for a collector; LOG_FORMAT, when set, decides. */
export function prettyLogs(format: 'json' | 'pretty' | undefined, stdoutIsTerminal: boolean): boolean {
  return format === undefined ? stdoutIsTerminal : format === 'pretty';
}

/** The root logger: LOG_LEVEL and LOG_FORMAT, to stdout or to `destination` (tests capture lines there, as JSON). */
export function rootLogger(config: AppConfig, destination?: DestinationStream, stdoutIsTerminal = process.stdout.isTTY === true): Logger {
  if (destination) return pino(pinoOptions(config, false), destination);
  return pino(pinoOptions(config, prettyLogs(config.observability.logFormat, stdoutIsTerminal)));
}

/**
 * nestjs-pino's parameters: Nest's Logger routed to pino, and one line per HTTP request (pino-http)
 * carrying its request id.
 */
export function loggerParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      quietReqLogger: true,
      genReqId: (request: IncomingMessage & { id?: unknown }) => (typeof request.id === 'string' ? request.id : ''),
      autoLogging: { ignore: quiet },
      customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        // No headers (they may carry tokens); emails and one-time codes in query strings masked.
        req: (request: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          url: maskSecretParameters(maskEmailsIn(request.url ?? '')),
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      },
    },
    // Notification POSTs are logged once by the IPN module's observer (RequestLog); their few other lines
    // (sampled refusals) carry no request context, which spares them AsyncLocalStorage.
    exclude: [
      { path: 'ipn', method: RequestMethod.POST },
      { path: 'ipn/:listener', method: RequestMethod.POST },
      { path: 'lcn', method: RequestMethod.POST },
      { path: 'lcn/:listener', method: RequestMethod.POST },
    ],
  };
}
