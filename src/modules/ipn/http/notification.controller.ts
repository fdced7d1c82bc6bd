import { Controller, Get, Header, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../core/errors';
import { RecordNotificationUseCase } from '../application/record-notification.use-case';
import type { VerifiedNotification } from '../application/verified-notification';
import { readReceipt, receiptDate } from '../protocol';
import { ListenerRegistry } from './listener-registry';
import type { NotificationRequest } from './notification-signature.guard';
import { NotificationEndpoint, SignedNotification, Verified } from './signed-notification.decorator';

/**
 * The URLs configured in 2Checkout: IPN at /ipn[/:listener], LCN at /lcn[/:listener]. A GET answers
 * 200 (the platform checks the URL when it is saved); a POST is answered with the signed read
 * receipt, only once the notification is committed. Both only for senders the SenderGuard lets in.
 */
@Controller()
export class NotificationController {
  constructor(
    private readonly recordNotification: RecordNotificationUseCase,
    private readonly listeners: ListenerRegistry,
  ) {}

  @Get(['ipn', 'ipn/:listener'])
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @NotificationEndpoint('ipn')
  checkIpn(@Param('listener') listener?: string): string {
    return this.check(listener);
  }

  @Get(['lcn', 'lcn/:listener'])
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @NotificationEndpoint('lcn')
  checkLcn(@Param('listener') listener?: string): string {
    return this.check(listener);
  }

  @Post(['ipn', 'ipn/:listener'])
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @SignedNotification('ipn')
  receiveIpn(@Verified() notification: VerifiedNotification, @Req() request: NotificationRequest): Promise<string> {
    return this.receive(notification, request);
  }

  @Post(['lcn', 'lcn/:listener'])
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @SignedNotification('lcn')
  receiveLcn(@Verified() notification: VerifiedNotification, @Req() request: NotificationRequest): Promise<string> {
    return this.receive(notification, request);
  }

  private check(listener: string | undefined): string {
    this.listeners.resolve(listener);
    return 'OK';
  }

  private async receive(notification: VerifiedNotification, request: NotificationRequest): Promise<string> {
    const recorded = await this.recordNotification.execute(notification);
    request.outcome = recorded.status === 'unprocessable' ? 'incomplete' : recorded.duplicate ? 'duplicate' : 'receipted';
    if (recorded.status === 'unprocessable') {
      throw new AppException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.NotificationIncomplete,
        `Authentic ${notification.kind.toUpperCase()} without ${recorded.missing.join(', ')}: stored as unprocessable (${recorded.id}), no receipt.`,
      );
    }
    const { kind, form, algorithm, key } = notification;
    return readReceipt(kind, form, algorithm, key, receiptDate(new Date()));
  }
}
