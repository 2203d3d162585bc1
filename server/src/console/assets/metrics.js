// The metrics page: polls /metrics' text through the console every few seconds and draws
// request rate, mean latency and throttled requests over the last minutes as small SVG charts
// (hand-drawn, no library).

import { el, section } from './dom.js';
import { metricsText } from './api.js';

const POLL_MS = 3000;
const KEEP = 100; // samples: 5 minutes at 3 s
const SVG = 'http://www.w3.org/2000/svg';
let timer = null;

/** Stops polling (when the page is left). */
export function stop() { if (timer) { clearInterval(timer); timer = null; } }

/** Sums of the samples of each metric family of Prometheus text (labels summed over). */
export function parse(text) {
  const sums = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels = m[2] || '';
    if (m[1].endsWith('_bucket')) continue;
    sums[m[1]] = (sums[m[1]] || 0) + value;
    if (m[1] === 'extenddb_request_errors_total' && /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(labels)) {
      sums.throttled_errors = (sums.throttled_errors || 0) + value;
    }
  }
  return sums;
}

function chart(id, title, unit) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 400 120');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('id', id);
  const label = el('p', { class: 'muted', id: id + '-now' }, '—');
  return { node: section(title, svg, label), svg, label, unit, points: [] };
}

function draw(c) {
  const pts = c.points;
  const top = Math.max(0, ...pts.map((p) => p.v));
  const max = top || 1;
  const w = 400;
  const h = 110;
  const step = w / (KEEP - 1);
  const off = KEEP - pts.length;
  c.svg.replaceChildren();
  const axis = document.createElementNS(SVG, 'line');
  for (const [k, v] of Object.entries({ x1: 0, y1: h, x2: w, y2: h, class: 'axis' })) axis.setAttribute(k, v);
  c.svg.append(axis);
  if (pts.length > 1) {
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.map((p, i) => ((off + i) * step).toFixed(1) + ',' + (h - (p.v / max) * (h - 10)).toFixed(1)).join(' '));
    line.setAttribute('class', 'series');
    c.svg.append(line);
  }
  const label = document.createElementNS(SVG, 'text');
  label.setAttribute('x', '4');
  label.setAttribute('y', '12');
  label.setAttribute('class', 'tick');
  label.textContent = 'max ' + fmt(top) + ' ' + c.unit;
  c.svg.append(label);
  const last = pts[pts.length - 1];
  c.label.textContent = last ? 'now: ' + fmt(last.v) + ' ' + c.unit : '—';
}

function fmt(v) { return v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2); }

export async function page(ctx, root) {
  stop();
  const rate = chart('chart-rate', 'Requests per second', 'req/s');
  const latency = chart('chart-latency', 'Mean latency', 'ms');
  const throttles = chart('chart-throttles', 'Throttled requests per second', '/s');
  const status = el('p', { class: 'muted', id: 'metrics-status' }, 'Sampling every ' + POLL_MS / 1000 + ' s; the last ' + Math.round(KEEP * POLL_MS / 60000) + ' minutes are kept while this page is open.');
  let prev = null;
  const sample = async () => {
    let sums;
    try { sums = parse(await metricsText()); } catch (e) { status.textContent = e.message; status.className = 'error'; stop(); return; }
    const now = Date.now();
    if (prev) {
      const dt = (now - prev.t) / 1000;
      const d = (k) => Math.max(0, (sums[k] || 0) - (prev.s[k] || 0));
      const reqs = d('extenddb_requests_total');
      const count = d('extenddb_request_duration_seconds_count');
      const push = (c, v) => { c.points.push({ t: now, v }); if (c.points.length > KEEP) c.points.shift(); draw(c); };
      push(rate, reqs / dt);
      push(latency, count ? (d('extenddb_request_duration_seconds_sum') / count) * 1000 : 0);
      push(throttles, (d('throttled_errors')) / dt);
    }
    prev = { t: now, s: sums };
  };
  await sample();
  root.append(el('h1', {}, 'Metrics'), status, rate.node, latency.node, throttles.node);
  [rate, latency, throttles].forEach(draw);
  timer = setInterval(sample, POLL_MS);
}
