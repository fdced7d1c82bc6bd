import { getJson } from './api.js';
import { badge, h, table, utc } from './dom.js';

/** The webhook endpoints, each linked to its page (attempts, replay, secret rotation). */
export async function render(main) {
  const endpoints = await getJson('/webhooks');
  main.replaceChildren(
    h('h1', {}, 'Webhooks'),
    h('p', { class: 'hint' }, 'Endpoints are registered through POST /api/webhooks; their secrets are shown only then and on rotation.'),
    table(
      [
        {
          label: 'Endpoint',
          cell: (row) => h('a', { href: `/console/webhooks/${encodeURIComponent(row.id)}` }, row.description ?? row.id),
        },
        { label: 'URL', cell: (row) => h('code', {}, row.url) },
        { label: 'Events', cell: (row) => row.events.map((name) => h('div', {}, h('code', {}, name))) },
        { label: 'Status', cell: (row) => [badge(row.status), row.disabledReason && ` ${row.disabledReason}`] },
        { label: 'Created (UTC)', cell: (row) => utc(row.createdAt) },
      ],
      endpoints,
      'No webhook endpoint.',
    ),
  );
}
