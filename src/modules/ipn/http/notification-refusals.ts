import { HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { ErrorCode } from '../../../core/errors';
import { RecordRejectionService } from '../application/record-rejection.service';
import type { RejectionReason } from '../persistence/ipn-rejection.entity';
import type { NotificationKind } from '../protocol';
import { IpnErrorCode, IpnException } from './ipn.exception';
import { RefusalThrottle } from './refusal-throttle';

export interface Refusal {
  readonly status: HttpStatus;
  readonly code: IpnErrorCode | ErrorCode;
  readonly reason: RejectionReason;
  /** What to fix; also the recorded detail. */
  readonly message: string;
  readonly kind: NotificationKind;
  readonly listener: string;
  readonly refNo?: string;
}

/** The one way a request is refused: recorded (bounded), counted against its address, answered. */
@Injectable()
export class NotificationRefusals {
  constructor(
    private readonly rejections: RecordRejectionService,
    private readonly throttle: RefusalThrottle,
  ) {}

  async refuse(
    request: Request & { rawBody?: Buffer; refusal?: { reason: string; refNo?: string } },
    refusal: Refusal,
  ): Promise<IpnException> {
    request.refusal = { reason: refusal.reason, refNo: refusal.refNo };
    await Promise.all([
      this.rejections.record({
        kind: refusal.kind,
        listener: refusal.listener,
        reason: refusal.reason,
        detail: refusal.message,
        remoteAddress: request.ip,
        refNo: refusal.refNo,
        bodyBytes: request.rawBody?.length ?? 0,
      }),
      this.throttle.countRefusal(request.ip),
    ]);
    return new IpnException(refusal.status, refusal.code, refusal.message);
  }
}
