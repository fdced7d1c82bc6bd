// Two small SVG charts, drawn here rather than with a chart library: a stacked bar per minute and a
// line over time are all the console needs. Colours come from console.css (classes, no inline style).
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 26, left: 44 };
const PLOT = { width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom };

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** 1, 2 or 5 times a power of ten, at least `value`: round tick values. */
function niceCeiling(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

function frame(title, max, xTicks) {
  const y = (value) => MARGIN.top + PLOT.height - (value / max) * PLOT.height;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title, class: 'chart' }, s('title', {}, title));
  for (const value of [0, max / 2, max]) {
    svg.append(
      s('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value), class: 'grid' }),
      s('text', { x: MARGIN.left - 6, y: y(value) + 4, class: 'tick', 'text-anchor': 'end' }, String(value)),
    );
  }
  for (const { x, label, anchor = 'middle' } of xTicks) {
    svg.append(s('text', { x, y: HEIGHT - 8, class: 'tick', 'text-anchor': anchor }, label));
  }
  return { svg, y };
}

function legend(series) {
  return h(
    'ul',
    { class: 'legend' },
    series.map(({ label, key }) => h('li', {}, h('span', { class: `swatch series-${key}` }), label)),
  );
}

/**
 * One stacked bar per bucket. `buckets`: [{ label, values: { [key]: count } }], oldest first;
 * `series`: [{ key, label }], bottom to top; every `labelEvery`-th bucket is labelled.
 */
export function stackedBars({ title, buckets, series, labelEvery = 10 }) {
  const totals = buckets.map((bucket) => series.reduce((sum, { key }) => sum + (bucket.values[key] ?? 0), 0));
  const max = niceCeiling(Math.max(0, ...totals));
  const slot = PLOT.width / buckets.length;
  const xTicks = buckets.flatMap((bucket, i) => (i % labelEvery === 0 ? [{ x: MARGIN.left + slot * (i + 0.5), label: bucket.label }] : []));
  const { svg, y } = frame(title, max, xTicks);
  buckets.forEach((bucket, i) => {
    let base = 0;
    for (const { key, label } of series) {
      const count = bucket.values[key] ?? 0;
      if (count === 0) continue;
      const rect = s('rect', {
        x: MARGIN.left + slot * i + slot * 0.1,
        width: slot * 0.8,
        y: y(base + count),
        height: y(base) - y(base + count),
        class: `series-${key}`,
      });
      rect.append(s('title', {}, `${bucket.label}: ${count} ${label}`));
      svg.append(rect);
      base += count;
    }
  });
  return h('figure', {}, svg, legend(series));
}

/** A line through `points` ([{ at: Date, value }]) between the instants `from` and `to`. */
export function timeLine({ title, points, from, to, label, key, tickLabel }) {
  const max = niceCeiling(Math.max(0, ...points.map((point) => point.value)));
  const span = to - from || 1;
  const x = (at) => MARGIN.left + ((at - from) / span) * PLOT.width;
  // The end labels lean inwards, so that neither is cut by the edge.
  const xTicks = [0, 1, 2, 3, 4, 5, 6].map((i) => {
    const at = new Date(from.getTime() + (span * i) / 6);
    return { x: x(at), label: tickLabel(at), anchor: i === 0 ? 'start' : i === 6 ? 'end' : 'middle' };
  });
  const { svg, y } = frame(title, max, xTicks);
  if (points.length > 0) {
    const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.at).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
    svg.append(s('path', { d: path, class: `line series-${key}` }));
    for (const point of points) {
      const dot = s('circle', { cx: x(point.at), cy: y(point.value), r: 3, class: `series-${key}` });
      dot.append(s('title', {}, `${tickLabel(point.at)}: ${point.value} ${label}`));
      svg.append(dot);
    }
  }
  return h('figure', {}, svg, legend([{ key, label }]));
}
