import { getJson, postJson } from './api.js';
import { actionButton, h, table, utc } from './dom.js';

/** Events whose delivery was given up, each with a Retry (fresh attempts, now). */
export async function render(main) {
  const letters = await getJson('/dead-letters');
  main.replaceChildren(
    h('h1', {}, 'Dead letters'),
    table(
      [
        { label: 'Queued (UTC)', cell: (letter) => utc(letter.createdAt) },
        { label: 'Event', cell: (letter) => h('code', {}, letter.name) },
        {
          label: 'REFNO',
          cell: (letter) => letter.orderRef && h('a', { href: `/console/orders/${encodeURIComponent(letter.orderRef)}` }, letter.orderRef),
        },
        { label: 'Attempts', cell: (letter) => letter.attempts },
        { label: 'Last error', cell: (letter) => h('pre', { class: 'error' }, letter.lastError ?? '') },
        {
          label: '',
          cell: (letter) =>
            actionButton(
              'Retry',
              () => postJson(`/dead-letters/${letter.id}/retry`),
              () => 'Queued again.',
            ),
        },
      ],
      letters,
      'No dead letters.',
    ),
  );
}
