// History: each room's occupancy over the last hour or day, from the history API, drawn as
// step charts with the peak, the mean and the current value written out.

import { api, h, clock } from './api.js';
import { drawStepChart } from './chart.js';

const RANGES = { hour: 3600e3, day: 24 * 3600e3 };

export async function mount(main) {
  let range = 'hour';
  const charts = h('div', { class: 'charts' });
  const btns = Object.keys(RANGES).map((k) => h('button', {
    type: 'button',
    class: k === range ? 'toggle active' : 'toggle',
    'data-range': k,
    onclick: () => { range = k; btns.forEach((b) => b.classList.toggle('active', b.dataset.range === k)); render(); },
  }, k === 'hour' ? 'Last hour' : 'Last day'));
  main.replaceChildren(h('div', { class: 'row spread' }, h('h1', {}, 'History'), h('div', { class: 'row' }, ...btns)), charts);
  let rooms;
  try { rooms = await api('GET', '/api/rooms'); } catch (e) {
    charts.append(h('p', { class: 'error' }, e.message));
    return () => {};
  }
  let drawn = [];
  async function render() {
    const toMs = Date.now();
    const fromMs = toMs - RANGES[range];
    const cards = await Promise.all(rooms.map(async (r) => {
      const canvas = h('canvas', { class: 'chart', 'data-room': r.id });
      const caption = h('p', { class: 'small caption' });
      const card = h('section', { class: 'card' }, h('h2', {}, r.name), h('div', { class: 'chart-box' }, canvas), caption);
      let points = [];
      try {
        // One point before the window tells the count at its start.
        const before = await api('GET', `/api/rooms/${r.id}/history?from_ms=${fromMs - RANGES.hour}&to_ms=${fromMs}&limit=100000`);
        const inside = await api('GET', `/api/rooms/${r.id}/history?from_ms=${fromMs}&to_ms=${toMs}&limit=100000`);
        const lead = before.points.length ? [{ ...before.points[before.points.length - 1], ts_ms: fromMs }] : [];
        points = lead.concat(inside.points);
      } catch (e) {
        caption.textContent = e.message;
      }
      return { canvas, caption, points, fromMs, toMs };
    }));
    charts.replaceChildren(...cards.map((c) => c.canvas.closest('section')));
    drawn = cards;
    drawAll();
  }
  function drawAll() {
    for (const c of drawn) {
      const s = drawStepChart(c.canvas, c.points, c.fromMs, c.toMs);
      c.canvas.dataset.points = String(c.points.length);
      c.caption.textContent = s.now === null
        ? 'No samples in this period.'
        : `Now ${s.now} · peak ${s.peak} at ${clock(s.peakAt)} · average ${s.mean.toFixed(1)} · ${c.points.length} samples`;
    }
  }
  await render();
  const onResize = () => drawAll();
  window.addEventListener('resize', onResize);
  const timer = setInterval(render, 30000);
  return () => { window.removeEventListener('resize', onResize); clearInterval(timer); };
}
