import { h } from './dom.js';

/** No module of this build keeps subscriptions yet: the page says so rather than showing an empty list. */
export async function render(main) {
  main.replaceChildren(h('h1', {}, 'Subscriptions'), h('p', { class: 'empty' }, 'None yet: this build has no subscriptions module.'));
}
