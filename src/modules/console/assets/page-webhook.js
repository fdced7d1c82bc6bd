import { getJson, postJson } from './api.js';
import { actionButton, badge, h, section, table, utc } from './dom.js';

/** One webhook endpoint: its state, its secret rotated, its events replayed since a time, its attempts newest first. */
export async function render(main, id) {
  const { endpoint, attempts } = await getJson(`/webhooks/${encodeURIComponent(id)}`);
  main.replaceChildren(
    h('h1', {}, `Webhook ${endpoint.description ?? endpoint.id}`),
    h(
      'dl',
      { class: 'facts' },
      fact('URL', h('code', {}, endpoint.url)),
      fact('Events', endpoint.events.join(', ')),
      fact('Status', [badge(endpoint.status), endpoint.disabledReason && ` ${endpoint.disabledReason} since ${utc(endpoint.disabledAt)}`]),
    ),
    section('Secret', rotateAction(endpoint)),
    section('Replay', replayForm(endpoint)),
    section(
      'Attempts',
      table(
        [
          { label: 'At (UTC)', cell: (row) => utc(row.at) },
          { label: 'Event', cell: (row) => [h('code', {}, row.type), ' ', h('span', { class: 'hint' }, row.eventId)] },
          { label: 'Attempt', cell: (row) => row.attempt },
          { label: 'HTTP', cell: (row) => (row.status === null ? '—' : badge(String(row.status), row.error ? 'failed' : 'accepted')) },
          { label: 'ms', cell: (row) => row.durationMs },
          { label: 'Error', cell: (row) => row.error && h('pre', { class: 'error' }, row.error) },
        ],
        attempts,
        'No attempt yet.',
      ),
    ),
  );
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** The new secret is shown once, here; the previous one keeps signing beside it for WEBHOOK_SECRET_OVERLAP. */
function rotateAction(endpoint) {
  const shown = h('p', { class: 'secret' });
  return [
    h('p', { class: 'hint' }, 'A new secret; the previous one keeps signing beside it until the overlap ends.'),
    actionButton(
      'Rotate secret',
      () => postJson(`/webhooks/${encodeURIComponent(endpoint.id)}/secret/rotate`),
      ({ secret, previousValidUntil }) => {
        shown.replaceChildren('New secret (shown once): ', h('code', {}, secret));
        return previousValidUntil ? `Rotated; the previous secret signs too until ${utc(previousValidUntil)} UTC.` : 'Rotated.';
      },
    ),
    shown,
  ];
}

function replayForm(endpoint) {
  // datetime-local has no zone: the console's times are UTC, so this is read as UTC too.
  const since = h('input', { name: 'since', type: 'datetime-local', step: 1, required: true });
  const result = h('p', { class: 'result', role: 'status' });
  const button = h('button', { type: 'submit' }, 'Replay');
  return h(
    'form',
    {
      class: 'card-form',
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        result.className = 'result';
        try {
          const { replayed, limited } = await postJson(`/webhooks/${encodeURIComponent(endpoint.id)}/replay`, { since: `${since.value}Z` });
          result.textContent = `Queued ${replayed} event${replayed === 1 ? '' : 's'} again${limited ? ' (the first 10,000: replay again from the last one)' : ''}.`;
        } catch (error) {
          result.textContent = error.message;
          result.className = 'result error';
        } finally {
          button.disabled = false;
        }
      },
    },
    h('p', { class: 'hint' }, 'Sends the matching events logged since then again, with their own webhook-id and a fresh signature.'),
    h('label', {}, 'Since (UTC)', since),
    button,
    result,
  );
}
