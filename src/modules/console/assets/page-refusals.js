import { getJson } from './api.js';
import { stackedBars } from './chart.js';
import { h, present, table, utc } from './dom.js';

/** Refused requests over the last 24 hours, by reason. */
export async function render(main) {
  const { since, reasons } = await getJson('/refusals');
  const content = [
    h('h1', {}, 'Refusals by reason'),
    h('p', { class: 'hint' }, `Since ${utc(since)} UTC (the last 24 hours).`),
    table(
      [
        { label: 'Reason', cell: (row) => h('a', { href: '/console/notifications?outcome=refused' }, row.reason) },
        { label: 'Refusals', cell: (row) => row.count },
      ],
      reasons,
      'No refusals in the last 24 hours.',
    ),
    reasons.length > 0 &&
      stackedBars({
        title: 'Refusals by reason, last 24 hours',
        buckets: reasons.map((row) => ({ label: row.reason, values: { refused: row.count } })),
        series: [{ key: 'refused', label: 'refusals' }],
        labelEvery: 1,
      }),
  ];
  main.replaceChildren(...present(content));
}
