import type { EngagementKind } from '../contracts/engagement.events';

export interface MessageFacts {
  name: string | null;
  refNo: string | null;
  products: string[];
  test: boolean;
  /** A subscription's expiry, as the platform sent it. */
  until?: string | null;
  /** An amount with its currency ("10.00 USD"). */
  amount?: string | null;
}

/** Subject and text of each customer message. Plain text; replace the transport to use templates. */
export function composeMessage(kind: EngagementKind, facts: MessageFacts): { subject: string; text: string } {
  const greeting = `Hello${facts.name ? ` ${facts.name}` : ''},`;
  const order = facts.refNo ? ` ${facts.refNo}` : '';
  const products = facts.products.length ? `\n\n${facts.products.map((product) => `- ${product}`).join('\n')}` : '';
  const product = facts.products.length ? ` to ${facts.products.join(', ')}` : '';
  const until = facts.until ? ` until ${facts.until}` : '';
  const on = facts.until ? ` on ${facts.until}` : ' at the end of the period';
  const prefix = facts.test ? '[TEST] ' : '';
  const texts: Record<EngagementKind, { subject: string; text: string }> = {
    order_confirmation: {
      subject: `Your order${order} is confirmed`,
      text: `${greeting}\n\nthank you: your payment was received.${products}`,
    },
    welcome: { subject: 'Welcome', text: `${greeting}\n\nyour account was created with your first order${order}.` },
    access_granted: { subject: `Your access for order${order} is ready`, text: `${greeting}\n\nyou now have access to:${products}` },
    refund_notice: {
      subject: `Your order${order} was refunded`,
      text: `${greeting}\n\nyour order was refunded; access to it has ended.${products}`,
    },
    partial_refund_notice: {
      subject: `A refund for your order${order}`,
      text: `${greeting}\n\n${facts.amount ?? 'an amount'} was refunded for your order${order}.${facts.products.length ? ` Access has ended for:${products}` : ''}`,
    },
    cancel_notice: { subject: `Your order${order} was canceled`, text: `${greeting}\n\nyour order was canceled.${products}` },
    renewal_receipt: {
      subject: `Your subscription${product} is renewed`,
      text: `${greeting}\n\nthank you: your payment for order${order} was received and your subscription runs${until}.${products}`,
    },
    payment_past_due: {
      subject: `Your subscription${product} could not be renewed`,
      text: `${greeting}\n\nwe could not take the payment to renew your subscription. Please update your payment method; your access continues for now.${products}`,
    },
    subscription_ended: {
      subject: `Your subscription${product} has ended`,
      text: `${greeting}\n\nyour subscription has ended, and with it your access.${products}`,
    },
    cancellation_scheduled: {
      subject: `Your subscription${product} will end${on}`,
      text: `${greeting}\n\nas you asked, your subscription will not renew: your access ends${on}.${products}`,
    },
    subscription_reactivated: {
      subject: `Your subscription${product} is active again`,
      text: `${greeting}\n\nyour subscription is active again${until}.${products}`,
    },
    subscription_suspended: {
      subject: `Your subscription${product} is suspended`,
      text: `${greeting}\n\nyour subscription was suspended; access is paused until it is reactivated.${products}`,
    },
  };
  return { subject: prefix + texts[kind].subject, text: texts[kind].text };
}
