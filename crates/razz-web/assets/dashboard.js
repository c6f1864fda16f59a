// Dashboard: every room with its live de-duplicated count, per-camera counts, a warning
// naming offline and starved cameras, a note naming uncalibrated ones (not de-duplicated),
// and the time of the last update. One WebSocket per room, each reconnecting by itself.

import { api, h, liveSocket, clock, ago, degradedText, calibrationText } from './api.js';

export async function mount(main) {
  const grid = h('div', { class: 'rooms' });
  const title = h('h1', {}, 'Rooms');
  main.replaceChildren(title, grid);
  let rooms;
  try {
    rooms = await api('GET', '/api/rooms');
  } catch (e) {
    main.append(h('p', { class: 'error' }, e.message));
    return () => {};
  }
  if (rooms.length === 0) {
    grid.append(h('p', { class: 'muted' }, 'No rooms yet. An admin adds rooms and cameras under Cameras.'));
    return () => {};
  }
  const sockets = [];
  const cards = [];
  for (const r of rooms) {
    const count = h('div', { class: 'count', 'data-testid': 'room-count' }, '–');
    const cams = h('ul', { class: 'cams' });
    const warn = h('p', { class: 'degraded', role: 'status' });
    warn.hidden = true;
    const uncal = h('p', { class: 'notice small' });
    uncal.hidden = true;
    const updated = h('p', { class: 'muted small updated' }, 'waiting for the first update…');
    const live = h('span', { class: 'live off', title: 'connection' }, 'connecting');
    const card = h('a', { class: 'card room', href: `#/rooms/${r.id}`, 'data-room': r.id },
      h('div', { class: 'room-head' }, h('h2', {}, r.name), live),
      count,
      h('p', { class: 'muted small' }, 'people in the room'),
      warn, uncal, cams, updated);
    grid.append(card);
    const state = { last: null };
    cards.push({ state, updated });
    sockets.push(liveSocket(`/ws/rooms/${encodeURIComponent(r.id)}`, {
      onState: (s) => {
        live.textContent = s === 'open' ? 'live' : 'reconnecting…';
        live.className = `live ${s === 'open' ? 'on' : 'off'}`;
      },
      onMessage: (ev) => {
        let msg;
        try { msg = JSON.parse(ev.data); } catch { return; }
        const d = msg.data;
        state.last = d;
        count.textContent = String(d.count);
        const names = new Map(d.cameras.map((c) => [c.camera_id, c.name]));
        cams.replaceChildren(...d.cameras.map((c) => h('li', { class: c.online ? '' : 'offline' },
          h('span', { class: `dot ${c.online ? 'on' : 'off'}` }),
          h('span', { class: 'cam-name' }, c.name),
          h('span', { class: 'cam-count' }, c.online ? `${c.count}${c.starved ? ' (slow)' : ''}` : 'offline'))));
        if (d.degraded) {
          warn.textContent = degradedText(d, names);
          warn.hidden = false;
          card.classList.add('is-degraded');
        } else {
          warn.hidden = true;
          card.classList.remove('is-degraded');
        }
        uncal.textContent = calibrationText(d, names);
        uncal.hidden = !uncal.textContent;
        card.dataset.count = String(d.count);
        renderUpdated(state, updated);
      },
    }));
  }
  const timer = setInterval(() => cards.forEach(({ state, updated }) => renderUpdated(state, updated)), 1000);
  return () => {
    clearInterval(timer);
    sockets.forEach((s) => s.close());
  };
}

function renderUpdated(state, el) {
  const d = state.last;
  if (!d || !d.updated_at_ms) return;
  el.textContent = `Last update ${clock(d.updated_at_ms)} (${ago(d.updated_at_ms)})`;
}
