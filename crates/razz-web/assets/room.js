// Room view: every camera of the room live with its overlay (same person, same colour in
// every camera), the room's count, a warning when it is degraded, a note when it is not
// de-duplicated (uncalibrated cameras), and the list of its people with their member cameras.

import { api, h, liveSocket, personColour, clock, degradedText, calibrationText } from './api.js';
import { CameraView } from './overlay.js';

export async function mount(main, ctx, roomId) {
  let room;
  let cams;
  try {
    [room, cams] = await Promise.all([api('GET', `/api/rooms/${roomId}`), api('GET', '/api/cameras')]);
  } catch (e) {
    main.replaceChildren(h('p', { class: 'error' }, e.message), h('a', { href: '#/' }, 'Back to the dashboard'));
    return () => {};
  }
  cams = cams.filter((c) => c.room_id === roomId && c.enabled);
  const count = h('span', { class: 'count inline', 'data-testid': 'room-view-count' }, '–');
  const warn = h('p', { class: 'degraded' });
  warn.hidden = true;
  const uncal = h('p', { class: 'notice', 'data-testid': 'uncalibrated' });
  uncal.hidden = true;
  const updated = h('span', { class: 'muted small' });
  const list = h('ul', { class: 'people', 'data-testid': 'people' });
  const tiles = h('div', { class: 'tiles' });
  const views = cams.map((c) => new CameraView(c));
  tiles.append(...views.map((v) => v.el));
  if (views.length === 0) tiles.append(h('p', { class: 'muted' }, 'This room has no enabled camera.'));
  main.replaceChildren(
    h('div', { class: 'room-title' }, h('a', { href: '#/', class: 'muted' }, '← Rooms'), h('h1', {}, room.name), count, updated),
    warn,
    uncal,
    h('div', { class: 'room-layout' }, tiles,
      h('aside', { class: 'card side' }, h('h2', {}, 'People'), list)));
  const names = new Map(cams.map((c) => [c.id, c.name]));
  const sock = liveSocket(`/ws/rooms/${encodeURIComponent(roomId)}`, {
    onMessage: (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      const d = msg.data;
      count.textContent = `${d.count} ${d.count === 1 ? 'person' : 'people'}`;
      updated.textContent = d.updated_at_ms ? `updated ${clock(d.updated_at_ms)}` : '';
      for (const c of d.cameras) names.set(c.camera_id, c.name);
      if (d.degraded) {
        warn.textContent = degradedText(d, names);
        warn.hidden = false;
      } else warn.hidden = true;
      uncal.textContent = calibrationText(d, names);
      uncal.hidden = !uncal.textContent;
      if (d.people.length === 0) {
        list.replaceChildren(h('li', { class: 'muted' }, 'Nobody is in the room.'));
        return;
      }
      list.replaceChildren(...d.people.map((p) => h('li', { 'data-person': p.id },
        h('span', { class: 'swatch', style: `background:${personColour(p.id)}` }),
        h('div', {},
          h('strong', {}, `Person #${p.id}`),
          h('span', { class: 'muted small' }, ` ${Math.round(p.confidence * 100)} %${p.seen ? '' : ' · held (occluded)'}`),
          h('ul', { class: 'members' }, ...p.members.map((m) => h('li', {},
            `${names.get(m.camera_id) || m.camera_id} · track ${m.track_id}${m.seen ? '' : ' (held)'}`)))))));
    },
  });
  return () => {
    sock.close();
    views.forEach((v) => v.close());
  };
}
