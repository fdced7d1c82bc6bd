import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, DEFAULT_LISTENER, ListenerConfig } from '../../../config/app.config';
import { AppException, ErrorCode } from '../../../core/errors';

/** The configured listener endpoints; `/ipn` is the default one, `/ipn/:listener` the others. */
@Injectable()
export class ListenerRegistry {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  resolve(name: string | undefined): ListenerConfig {
    const listener = this.config.ipn.listeners.get(name ?? DEFAULT_LISTENER);
    if (!listener) {
      throw new AppException(HttpStatus.NOT_FOUND, ErrorCode.UnknownListener, `No listener named "${name}" is configured (IPN_LISTENERS).`);
    }
    return listener;
  }
}
