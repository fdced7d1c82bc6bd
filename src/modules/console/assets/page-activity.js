import { getJson } from './api.js';
import { stackedBars, timeLine } from './chart.js';
import { h, section } from './dom.js';

const OUTCOMES = [
  { key: 'accepted', label: 'accepted' },
  { key: 'unprocessable', label: 'unprocessable' },
  { key: 'refused', label: 'refused' },
];
const REFRESH_MS = 15_000;
const hhmm = (at) => at.toISOString().slice(11, 16);

/** The last hour: notifications per minute by outcome, events waiting for delivery, the queue now. */
export async function render(main) {
  const draw = async () => main.replaceChildren(...view(await getJson('/activity')));
  await draw();
  // Kept fresh while the page is open; a failed refresh leaves the last drawing.
  setInterval(() => draw().catch(() => {}), REFRESH_MS);
}

function view({ since, minutes, perMinute, pending, backlog, at }) {
  const start = new Date(since);
  const buckets = Array.from({ length: minutes }, (_, i) => ({ label: hhmm(new Date(start.getTime() + i * 60_000)), values: {} }));
  for (const { minute, outcome, count } of perMinute) {
    const bucket = buckets[Math.round((new Date(minute) - start) / 60_000)];
    if (bucket) bucket.values[outcome] = (bucket.values[outcome] ?? 0) + count;
  }
  const points = [...pending, { at, pending: backlog.pending }].map((sample) => ({ at: new Date(sample.at), value: sample.pending }));
  return [
    h('h1', {}, 'Activity'),
    h(
      'div',
      { class: 'cards' },
      card('Events pending', backlog.pending),
      card('Oldest pending', `${Math.round(backlog.oldestPendingSeconds)} s`),
      card('Dead letters', backlog.dead, backlog.dead > 0 ? '/console/dead-letters' : undefined),
    ),
    section(
      'Notifications per minute, by outcome (UTC)',
      stackedBars({ title: 'Notifications per minute by outcome', buckets, series: OUTCOMES }),
    ),
    section(
      'Events pending delivery',
      timeLine({
        title: 'Events pending delivery',
        points,
        from: start,
        to: new Date(at),
        label: 'pending',
        key: 'pending',
        tickLabel: hhmm,
      }),
      h('p', { class: 'hint' }, 'Sampled by this process every 15 s since it started.'),
    ),
  ];
}

function card(label, value, href) {
  const content = [h('span', { class: 'card-value' }, String(value)), h('span', { class: 'card-label' }, label)];
  return href ? h('a', { class: 'card', href }, content) : h('div', { class: 'card' }, content);
}
