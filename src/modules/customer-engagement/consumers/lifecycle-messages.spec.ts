import { EventContract, createEvent } from '../../../core/events';
import { OrderFraudClearedEvent, OrderPaymentAuthorizedEvent, OrderReinstatedEvent, OrderSnapshot } from '../../orders';
import { MESSAGES } from './lifecycle-messages';

const paid: OrderSnapshot = {
  refNo: '1001',
  status: 'COMPLETE',
  notifiedStatus: 'COMPLETE',
  fraudStatus: null,
  currency: 'USD',
  customer: {
    email: 'buyer@example.com',
    firstName: 'Zoë',
    lastName: null,
    company: null,
    country: null,
    countryCode: null,
    language: null,
    avangateCustomerReference: null,
    externalCustomerReference: null,
  },
  items: [
    {
      lineNo: 1,
      productId: '1',
      productCode: null,
      name: 'App',
      quantity: 1,
      price: '9.00',
      licenseRef: null,
      licenseType: null,
      licenseExpiresAt: null,
      deliveredCodes: [],
    },
  ],
  milestones: { placed: true, paymentAuthorized: true, completed: true, canceled: false, reversed: false, refunded: false },
  paymentReversed: false,
  refunds: [],
  refundedLines: [],
  chargeback: null,
  ipnDate: '20261124102602',
};

function messageFor(contract: EventContract<string, OrderSnapshot>, order: Partial<OrderSnapshot>) {
  return MESSAGES[contract.NAME](createEvent(contract, { orderRef: '1001', test: false, data: { ...paid, ...order } }));
}

describe('order confirmations and fraud verdicts', () => {
  it.each([null, 'APPROVED', 'UNDER REVIEW', 'PENDING', 'SUSPECT'])('confirms a payment whose fraud status is %s', (fraudStatus) => {
    expect(messageFor(OrderPaymentAuthorizedEvent, { fraudStatus })).toMatchObject({
      kind: 'order_confirmation',
      email: 'buyer@example.com',
    });
    expect(messageFor(OrderReinstatedEvent, { fraudStatus })).toMatchObject({ kind: 'order_confirmation' });
  });

  it.each(['DENIED', 'INVALID'])('confirms nothing while the fraud status is %s', (fraudStatus) => {
    expect(messageFor(OrderPaymentAuthorizedEvent, { fraudStatus })).toBeNull();
    expect(messageFor(OrderReinstatedEvent, { fraudStatus })).toBeNull();
  });

  it('confirms a paid order once when its fraud status clears', () => {
    expect(messageFor(OrderFraudClearedEvent, { fraudStatus: 'APPROVED' })).toMatchObject({ kind: 'order_confirmation', once: true });
  });

  it.each<[string, Partial<OrderSnapshot>]>([
    ['not paid', { status: 'PENDING', milestones: { ...paid.milestones, paymentAuthorized: false, completed: false } }],
    ['reversed', { status: 'REVERSED', paymentReversed: true }],
    ['canceled', { status: 'CANCELED', milestones: { ...paid.milestones, canceled: true } }],
    ['refunded', { status: 'REFUND', milestones: { ...paid.milestones, refunded: true } }],
    ['a renewal (its receipt is the subscription message)', { items: [{ ...paid.items[0], licenseRef: 'L1', licenseType: 'RENEWAL' }] }],
  ])('confirms nothing when the fraud status clears on an order %s', (_, order) => {
    expect(messageFor(OrderFraudClearedEvent, { ...order, fraudStatus: 'APPROVED' })).toBeNull();
  });
});
