import { getJson, postJson } from './api.js';
import { actionButton, badge, h, table, utc } from './dom.js';

const FILTERS = ['refNo', 'status', 'listener', 'outcome'];
const OUTCOMES = ['', 'accepted', 'unprocessable', 'refused', 'duplicate'];

/** Recent notifications and refusals, filtered by the query string (the filter form is a plain GET form). */
export async function render(main) {
  const query = new URLSearchParams(location.search);
  const filter = new URLSearchParams(FILTERS.filter((name) => query.get(name)).map((name) => [name, query.get(name)]));
  const rows = await getJson(`/notifications?${filter}`);
  main.replaceChildren(h('h1', {}, 'Notifications'), filterForm(query), notificationsTable(rows, 'Nothing arrived that matches.'));
}

function filterForm(query) {
  const field = (name, label) => h('label', {}, label, h('input', { name, value: query.get(name) ?? '', size: 14 }));
  const outcome = h(
    'select',
    { name: 'outcome' },
    OUTCOMES.map((value) => h('option', { value, selected: query.get('outcome') === value }, value || 'any')),
  );
  return h(
    'form',
    { method: 'get', action: '/console/notifications', class: 'filters' },
    field('refNo', 'REFNO'),
    field('status', 'Status'),
    field('listener', 'Listener'),
    h('label', {}, 'Outcome', outcome),
    h('button', { type: 'submit' }, 'Filter'),
    h('a', { href: '/console/notifications' }, 'Clear'),
  );
}

/** Also the order journey's list of its notifications. */
export function notificationsTable(rows, empty) {
  return table(
    [
      { label: 'Received (UTC)', cell: (row) => utc(row.receivedAt) },
      { label: 'Kind', cell: (row) => `${row.kind.toUpperCase()} · ${row.listener}` },
      { label: 'REFNO', cell: (row) => row.refNo && h('a', { href: `/console/orders/${encodeURIComponent(row.refNo)}` }, row.refNo) },
      { label: 'Status', cell: (row) => row.orderStatus },
      { label: 'Outcome', cell: (row) => [badge(row.outcome), row.reason && h('span', { class: 'reason' }, ` ${row.reason}`)] },
      { label: 'Receipt', cell: (row) => (row.outcome === 'accepted' ? `sent (${row.algorithm})` : 'none') },
      { label: 'Deliveries', cell: (row) => (row.deliveries > 1 ? badge(`${row.deliveries}×`, 'duplicate') : '1') },
      { label: 'From', cell: (row) => row.remoteAddress },
      { label: '', cell: (row) => (row.outcome === 'accepted' ? replayButton(row.id) : row.detail) },
    ],
    rows,
    empty,
  );
}

function replayButton(id) {
  return actionButton(
    'Replay',
    () => postJson(`/notifications/${id}/replay`),
    () => 'Queued for processing again.',
  );
}
