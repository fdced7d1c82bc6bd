import type { EngagementKind } from '../contracts/engagement.events';

export interface MessageFacts {
  name: string | null;
  refNo: string | null;
  products: string[];
  test: boolean;
}

/** Subject and text of each customer message. Plain text; replace the transport to use templates. */
export function composeMessage(kind: EngagementKind, facts: MessageFacts): { subject: string; text: string } {
  const greeting = `Hello${facts.name ? ` ${facts.name}` : ''},`;
  const order = facts.refNo ? ` ${facts.refNo}` : '';
  const products = facts.products.length ? `\n\n${facts.products.map((product) => `- ${product}`).join('\n')}` : '';
  const prefix = facts.test ? '[TEST] ' : '';
  const texts: Record<EngagementKind, { subject: string; text: string }> = {
    order_confirmation: { subject: `Your order${order} is confirmed`, text: `${greeting}\n\nthank you: your payment was received.${products}` },
    welcome: { subject: 'Welcome', text: `${greeting}\n\nyour account was created with your first order${order}.` },
    access_granted: { subject: `Your access for order${order} is ready`, text: `${greeting}\n\nyou now have access to:${products}` },
    refund_notice: { subject: `Your order${order} was refunded`, text: `${greeting}\n\nyour order was refunded; access to it has ended.${products}` },
    cancel_notice: { subject: `Your order${order} was canceled`, text: `${greeting}\n\nyour order was canceled.${products}` },
  };
  return { subject: prefix + texts[kind].subject, text: texts[kind].text };
}
