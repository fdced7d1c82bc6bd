// Builds the console's DOM. Text is always set as text, never parsed as HTML: REFNOs, error messages
// and refusal details come from outside and must not become markup.

/** h('a', { href: '/x', onclick: fn }, 'text', child): attributes set, listeners added, children appended. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...present(children));
  return element;
}

/** Children without the holes left by conditionals (`cond && node`). */
export function present(children) {
  return children.flat(Infinity).filter((child) => child !== undefined && child !== null && child !== false);
}

/** A table of `rows`; each column is `{ label, cell(row) }`; `empty` is said when there are none. */
export function table(columns, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((column) => h('th', { scope: 'col' }, column.label)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map((column) => h('td', {}, column.cell(row) ?? '')),
        ),
      ),
    ),
  );
}

export function section(title, ...content) {
  return h('section', {}, h('h2', {}, title), ...content);
}

/** An instant as `2026-11-24 10:25:11` in UTC, the zone of every time in the console. */
export function utc(value) {
  return value ? new Date(value).toISOString().replace('T', ' ').slice(0, 19) : '';
}

export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** A button that runs `action` once, then says `done`; a failure is shown beside it and it can be tried again. */
export function actionButton(label, action, done) {
  const button = h('button', { type: 'button' }, label);
  const status = h('span', { class: 'action-status', role: 'status' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.className = 'action-status';
    try {
      status.textContent = await done(await action());
    } catch (error) {
      status.textContent = error.message;
      status.className = 'action-status error';
      button.disabled = false;
    }
  });
  return h('span', { class: 'action' }, button, status);
}
