import { getJson } from './api.js';
import { badge, h, section, table, utc } from './dom.js';
import { notificationsTable } from './page-notifications.js';

/** /console/orders: a REFNO to look up; /console/orders/<REFNO>: that order's journey. */
export async function render(main, refNo) {
  const asked = new URLSearchParams(location.search).get('refNo');
  if (!refNo && asked) return location.replace(`/console/orders/${encodeURIComponent(asked.trim())}`);
  main.replaceChildren(h('h1', {}, refNo ? `Order ${refNo}` : 'Order journey'), searchForm(refNo));
  if (refNo) main.append(...journey(await getJson(`/orders/${encodeURIComponent(refNo)}`)));
}

function searchForm(refNo) {
  return h(
    'form',
    { method: 'get', action: '/console/orders', class: 'filters' },
    h('label', {}, 'REFNO', h('input', { name: 'refNo', value: refNo ?? '', required: true, size: 16 })),
    h('button', { type: 'submit' }, 'Open'),
  );
}

function journey({ order, notifications, events, entitlements, messages }) {
  return [
    summary(order),
    section('Notifications', notificationsTable(notifications, 'None.')),
    section(
      'State changes',
      table(
        [
          { label: 'Recorded (UTC)', cell: (entry) => utc(entry.at) },
          { label: 'Status', cell: (entry) => entry.status },
          { label: 'Fraud status', cell: (entry) => entry.fraudStatus },
          { label: 'IPN_DATE', cell: (entry) => entry.ipnDate },
          { label: 'Applied', cell: (entry) => (entry.applied ? badge('applied', 'accepted') : badge('recorded only', 'muted')) },
        ],
        order?.history ?? [],
        'No state recorded yet.',
      ),
    ),
    section('Events and consumers', eventsList(events, notifications)),
    section(
      'Entitlements',
      table(
        [
          { label: 'Line', cell: (line) => line.lineNo },
          { label: 'Product', cell: (line) => `${line.productName} (${line.productId})` },
          { label: 'Status', cell: (line) => badge(line.status) },
          { label: 'License', cell: (line) => [line.licenseRef, line.licenseExpiresAt && ` until ${line.licenseExpiresAt}`] },
        ],
        entitlements,
        'None.',
      ),
    ),
    section(
      'Customer messages',
      table(
        [
          { label: 'Recorded (UTC)', cell: (message) => utc(message.at) },
          { label: 'Message', cell: (message) => message.kind },
          { label: 'To', cell: (message) => message.email },
          { label: 'Subject', cell: (message) => message.subject },
          { label: 'Delivery', cell: (message) => [badge(message.delivery), ` via ${message.transport}`] },
          { label: 'Sent (UTC)', cell: (message) => utc(message.sentAt) },
          { label: 'Last error', cell: (message) => message.lastError },
        ],
        messages,
        'None.',
      ),
    ),
  ];
}

function summary(order) {
  if (!order) return h('p', { class: 'empty' }, 'Not processed yet: see its events below.');
  const facts = [
    ['Status', order.status],
    ['Fraud status', order.fraudStatus ?? '—'],
    ['Customer', order.customer?.email ?? '—'],
    ['Currency', order.currency ?? '—'],
    ['Test order', order.test ? 'yes' : 'no'],
    ['First seen (UTC)', utc(order.createdAt)],
    ['Last change (UTC)', utc(order.updatedAt)],
  ];
  return h(
    'dl',
    { class: 'facts' },
    facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/** Each received event: its notification, its delivery (status, attempts, last error, consumers) and the chain it raised. */
function eventsList(events, notifications) {
  if (events.length === 0) return h('p', { class: 'empty' }, 'None.');
  const statusOf = new Map(notifications.map((notification) => [notification.id, notification.orderStatus]));
  return h(
    'ol',
    { class: 'events' },
    events.map((event) =>
      h(
        'li',
        {},
        h(
          'div',
          { class: 'event-head' },
          h('code', {}, event.name),
          statusOf.get(event.notificationId) && ` of ${statusOf.get(event.notificationId)}`,
          event.replay && badge('replay', 'muted'),
          badge(event.status),
          ` ${event.attempts} failed attempt${event.attempts === 1 ? '' : 's'} · queued ${utc(event.createdAt)}`,
          event.deliveredAt && ` · delivered ${utc(event.deliveredAt)}`,
        ),
        h('div', { class: 'consumers' }, 'Consumers: ', event.consumers.join(', ') || 'none'),
        event.lastError && h('pre', { class: 'error' }, event.lastError),
        event.chain.length > 0 &&
          h(
            'ul',
            { class: 'chain' },
            event.chain.map((link) =>
              h(
                'li',
                {},
                h('code', {}, link.name),
                link.consumers.length > 0 && h('span', { class: 'consumers' }, ` → ${link.consumers.join(', ')}`),
              ),
            ),
          ),
      ),
    ),
  );
}
