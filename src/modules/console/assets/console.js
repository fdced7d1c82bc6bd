// The console's entry: the server sends one document for every page; this draws the page its path names.
import { h } from './dom.js';

const PAGES = [
  [/^\/console\/?$/, 'activity'],
  [/^\/console\/notifications\/?$/, 'notifications'],
  [/^\/console\/orders\/?$/, 'order'],
  [/^\/console\/orders\/([^/]+)$/, 'order'],
  [/^\/console\/subscriptions\/?$/, 'subscriptions'],
  [/^\/console\/dead-letters\/?$/, 'dead-letters'],
  [/^\/console\/deliveries\/?$/, 'deliveries'],
  [/^\/console\/replay\/?$/, 'replay'],
  [/^\/console\/webhooks\/?$/, 'webhooks'],
  [/^\/console\/webhooks\/([^/]+)$/, 'webhook'],
  [/^\/console\/refusals\/?$/, 'refusals'],
];

async function start() {
  const main = document.getElementById('page');
  markCurrentLink();
  const [pattern, name] = PAGES.find(([pattern]) => pattern.test(location.pathname)) ?? [];
  if (!pattern) return main.replaceChildren(h('p', { class: 'error' }, 'No such page.'));
  const argument = pattern.exec(location.pathname)[1];
  main.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
  try {
    const page = await import(`./page-${name}.js`);
    await page.render(main, argument === undefined ? undefined : decodeURIComponent(argument));
  } catch (error) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
  }
}

function markCurrentLink() {
  const section = location.pathname.split('/')[2] ?? '';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === section) link.setAttribute('aria-current', 'page');
  }
}

start();
