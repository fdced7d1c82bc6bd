import { getJson } from './api.js';
import { badge, h, table } from './dom.js';

/** A customer's subscriptions (by email), or one by license reference, as the query string asks. */
export async function render(main) {
  const query = new URLSearchParams(location.search);
  const asked = ['email', 'licenseRef'].find((name) => query.get(name));
  main.replaceChildren(h('h1', {}, 'Subscriptions'), searchForm(query));
  if (!asked) return main.append(h('p', { class: 'hint' }, 'Give a customer email or a license reference.'));
  const subscriptions = await getJson(`/subscriptions?${new URLSearchParams([[asked, query.get(asked)]])}`);
  main.append(subscriptionsTable(subscriptions));
}

function searchForm(query) {
  const field = (name, label) => h('label', {}, label, h('input', { name, value: query.get(name) ?? '', size: 24 }));
  return h(
    'form',
    { method: 'get', action: '/console/subscriptions', class: 'filters' },
    field('email', 'Customer email'),
    field('licenseRef', 'License reference'),
    h('button', { type: 'submit' }, 'Find'),
  );
}

function subscriptionsTable(subscriptions) {
  return table(
    [
      { label: 'License', cell: (row) => h('code', {}, row.licenseRef) },
      { label: 'Product', cell: (row) => row.productName ?? row.productId },
      { label: 'Status', cell: (row) => [badge(row.status), row.cancelAtPeriodEnd && ' cancels at period end'] },
      { label: 'Expires', cell: (row) => row.expiresAt },
      { label: 'Next renewal', cell: (row) => row.nextRenewalDate && `${row.nextRenewalDate} (${row.nextRenewalPrice ?? '?'})` },
      { label: 'License status', cell: (row) => [row.licenseStatus, row.disabled && ' disabled'] },
      { label: 'Customer', cell: (row) => row.email },
      {
        label: 'Orders',
        cell: (row) =>
          row.orders.map((order) =>
            h('div', {}, h('a', { href: `/console/orders/${encodeURIComponent(order.refNo)}` }, order.refNo), ` ${order.kind}`),
          ),
      },
    ],
    subscriptions,
    'No subscription found.',
  );
}
