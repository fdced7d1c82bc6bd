import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IpnRejectionEntity, RejectionReason } from '../persistence/ipn-rejection.entity';
import type { NotificationKind } from '../protocol';

export interface Rejection {
  kind: NotificationKind;
  listener: string;
  reason: RejectionReason;
  detail: string;
  remoteAddress: string | undefined;
  refNo: string | undefined;
  bodyBytes: number;
}

/** Keeps a trace of refused notifications. Best effort: a refusal is answered even if this fails. */
@Injectable()
export class RecordRejectionService {
  private readonly logger = new Logger('IpnRejections');

  constructor(@InjectRepository(IpnRejectionEntity) private readonly rejections: Repository<IpnRejectionEntity>) {}

  async record(rejection: Rejection): Promise<void> {
    this.logger.warn(
      `Refused ${rejection.kind} on listener "${rejection.listener}" from ${rejection.remoteAddress ?? 'unknown'}: ${rejection.detail}`,
    );
    try {
      await this.rejections.insert({
        ...rejection,
        remoteAddress: rejection.remoteAddress ?? null,
        refNo: rejection.refNo ?? null,
      });
    } catch (error) {
      this.logger.error(`Could not record the rejection: ${(error as Error).message}`);
    }
  }
}
