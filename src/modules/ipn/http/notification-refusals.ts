import { HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { ErrorCode } from '../../../core/errors';
import { RecordRejectionService, type RejectionReason } from '../application/record-rejection.service';
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

/** What the request annotations say of a refusal (read by the NotificationObserver). */
export interface RefusalNote {
  readonly reason: string;
  readonly refNo?: string;
  /** It got its own row (and so its own log lines); otherwise it was only counted. */
  readonly recorded: boolean;
  /** Its sender was over IPN_REFUSALS_PER_MINUTE: answered 429. */
  readonly throttled: boolean;
}

/**
 * The one way a request is refused, once it has been found wanting: counted against its sender, then
 * recorded (bounded, in the background) and answered with its reason, or, for a sender over
 * IPN_REFUSALS_PER_MINUTE, only counted and answered 429 with Retry-After. Nothing here waits.
 */
@Injectable()
export class NotificationRefusals {
  constructor(
    private readonly rejections: RecordRejectionService,
    private readonly throttle: RefusalThrottle,
  ) {}

  refuse(request: Request & { rawBody?: Buffer; refusal?: RefusalNote }, refusal: Refusal): IpnException {
    const { sender, retryAfter, crossed } = this.throttle.refused(request.ip);
    const recorded = this.rejections.record(
      {
        kind: refusal.kind,
        listener: refusal.listener,
        reason: refusal.reason,
        detail: refusal.message,
        remoteAddress: request.ip,
        sender,
        refNo: refusal.refNo,
        bodyBytes: request.rawBody?.length ?? 0,
      },
      retryAfter === 0,
    );
    request.refusal = { reason: refusal.reason, refNo: refusal.refNo, recorded, throttled: retryAfter > 0 };
    if (retryAfter === 0) return new IpnException(refusal.status, refusal.code, refusal.message);
    if (crossed) this.rejections.senderOverBudget(sender);
    request.res?.setHeader('Retry-After', String(retryAfter));
    return new IpnException(
      HttpStatus.TOO_MANY_REQUESTS,
      IpnErrorCode.TooManyRefusals,
      `Too many refused requests from this address; try again in ${retryAfter} s.`,
    );
  }
}
