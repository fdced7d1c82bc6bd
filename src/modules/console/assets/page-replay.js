import { postJson } from './api.js';
import { h, utc } from './dom.js';

/** Processing run again: one stored notification by id, or every one received in a time range. */
export async function render(main) {
  main.replaceChildren(
    h('h1', {}, 'Replay'),
    h(
      'p',
      { class: 'hint' },
      'Processing is idempotent: a notification already applied changes nothing; one whose processing failed is processed now.',
    ),
    oneForm(),
    rangeForm(),
  );
}

function oneForm() {
  const id = h('input', { name: 'id', required: true, size: 38, pattern: '[0-9a-fA-F-]{36}', placeholder: 'notification id' });
  return form('One notification', [h('label', {}, 'Notification id', id)], 'Replay', async () => {
    await postJson(`/notifications/${encodeURIComponent(id.value.trim())}/replay`);
    return `Queued notification ${id.value.trim()}.`;
  });
}

function rangeForm() {
  // datetime-local has no zone: the console's times are UTC, so these are read as UTC too.
  const instant = (name) => h('input', { name, type: 'datetime-local', step: 1, required: true });
  const from = instant('from');
  const to = instant('to');
  return form(
    'All notifications received in a time range',
    [h('label', {}, 'From (UTC)', from), h('label', {}, 'To (UTC, excluded)', to)],
    'Replay range',
    async () => {
      const { queued } = await postJson('/replays', { from: `${from.value}Z`, to: `${to.value}Z` });
      return `Queued ${queued} notification${queued === 1 ? '' : 's'} received from ${utc(`${from.value}Z`)} to ${utc(`${to.value}Z`)}.`;
    },
  );
}

function form(title, fields, label, submit) {
  const result = h('p', { class: 'result', role: 'status' });
  const button = h('button', { type: 'submit' }, label);
  return h(
    'form',
    {
      class: 'card-form',
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        result.className = 'result';
        try {
          result.textContent = await submit();
        } catch (error) {
          result.textContent = error.message;
          result.className = 'result error';
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h2', {}, title),
    fields,
    button,
    result,
  );
}
