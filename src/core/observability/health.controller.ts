import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { MigrationsHealthIndicator } from './migrations.health';

const CHECK_TIMEOUT_MS = 1500;

/**
 * For load balancers and orchestrators: `live` says the process answers; `ready` that it can take
 * notifications (database reachable, every migration of this build applied). Not ready is 503 with the
 * failing check named, in the house error shape plus terminus's details.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  private ready: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async readiness(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult | object> {
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
        () => this.migrations.check('migrations', CHECK_TIMEOUT_MS),
      ]);
      this.changed(true, 'ready');
      return result;
    } catch (error) {
      const result = (error as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined;
      if (!result?.status) throw error;
      const failing = Object.entries(result.error ?? {}).map(([name, detail]) => `${name} (${String(detail?.message ?? 'down')})`);
      const message = `Not ready: ${failing.join(', ')}`;
      this.changed(false, message);
      response.status(503);
      return { statusCode: 503, code: 'NOT_READY', message, ...result };
    }
  }

  /** Logs readiness when it changes, not at every probe. */
  private changed(ready: boolean, message: string): void {
    if (this.ready === ready) return;
    if (this.ready !== undefined || !ready) {
      if (ready) this.logger.log(message);
      else this.logger.warn(message);
    }
    this.ready = ready;
  }
}
