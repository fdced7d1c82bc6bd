import { getJson, postJson } from './api.js';
import { actionButton, badge, h, section, table, utc } from './dom.js';

const STATUSES = ['', 'pending', 'dead', 'done'];

/** The delivery stage: per channel what waits and how old it is; its items, filtered; Retry on a dead one. */
export async function render(main) {
  const query = new URLSearchParams(location.search);
  const status = query.get('status') ?? '';
  const channel = query.get('channel') ?? '';
  const { channels, items, shown } = await getJson(`/deliveries?${new URLSearchParams({ status, channel })}`);
  const link = (changes, label) => {
    const next = new URLSearchParams({ status, channel, ...changes });
    for (const [name, value] of [...next]) if (!value) next.delete(name);
    return h('a', { href: `/console/deliveries${next.size ? `?${next}` : ''}` }, label);
  };
  main.replaceChildren(
    h('h1', {}, 'Deliveries'),
    section(
      'Channels',
      table(
        [
          { label: 'Channel', cell: (row) => link({ channel: row.channel }, row.channel) },
          { label: 'Waiting', cell: (row) => row.pending },
          { label: 'Oldest waiting (s)', cell: (row) => row.oldestSeconds },
          { label: 'Dead', cell: (row) => (row.dead ? link({ channel: row.channel, status: 'dead' }, String(row.dead)) : 0) },
        ],
        channels,
        'Nothing delivered yet.',
      ),
    ),
    section(
      'Items',
      h(
        'p',
        { class: 'filters' },
        'Status: ',
        STATUSES.map((value) => [value === status ? h('strong', {}, value || 'any') : link({ status: value }, value || 'any'), ' ']),
        channel && ['· channel ', h('code', {}, channel), ' ', link({ channel: '' }, '(all)')],
      ),
      h('p', { class: 'hint' }, `Events a target could not take at once, and what waited behind them; the newest ${shown}.`),
      table(
        [
          { label: 'Queued (UTC)', cell: (item) => utc(item.createdAt) },
          { label: 'Target', cell: (item) => h('code', {}, item.target) },
          { label: 'Event', cell: (item) => h('code', {}, item.eventName) },
          {
            label: 'Key',
            cell: (item) =>
              item.key.startsWith('order:')
                ? h('a', { href: `/console/orders/${encodeURIComponent(item.key.slice(6))}` }, item.key)
                : item.key,
          },
          { label: 'Status', cell: (item) => badge(item.status) },
          { label: 'Attempts', cell: (item) => item.attempts },
          { label: 'Next attempt (UTC)', cell: (item) => (item.status === 'pending' ? utc(item.nextAttemptAt) : '') },
          { label: 'Last error', cell: (item) => h('pre', { class: 'error' }, item.lastError ?? '') },
          {
            label: '',
            cell: (item) =>
              item.status === 'dead' &&
              actionButton(
                'Retry',
                () => postJson(`/deliveries/${item.id}/retry`),
                () => 'Queued again, after its key’s newer items.',
              ),
          },
        ],
        items,
        'No items.',
      ),
    ),
  );
}
