// Calibration panel: click at least 4 points on the camera's snapshot (floor marks: tile
// corners, door posts at floor level) and type where each lies on the room's floor plan in
// metres. The service fits the image-to-floor homography and answers its mean error.

import { api, h } from './api.js';

export function calibrationPanel(cam, { say, close, changed }) {
  const points = []; // {px: [x, y], fx: input, fy: input}
  const canvas = h('canvas', { class: 'calib', id: 'calibration-canvas', width: 768, height: 432 });
  const ctx = canvas.getContext('2d');
  const img = new Image();
  const rows = h('tbody');
  const out = h('p', { class: 'muted', id: 'calibration-result', role: 'status' }, 'Loading the snapshot…');

  const draw = () => {
    if (img.naturalWidth) ctx.drawImage(img, 0, 0);
    else { ctx.fillStyle = '#222'; ctx.fillRect(0, 0, canvas.width, canvas.height); }
    ctx.font = `${Math.round(canvas.width / 45)}px system-ui, sans-serif`;
    points.forEach((p, i) => {
      ctx.fillStyle = '#facc15';
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(p.px[0], p.px[1], Math.max(5, canvas.width / 120), 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.fillText(String(i + 1), p.px[0] + 10, p.px[1] - 8);
    });
  };
  const renderRows = () => {
    rows.replaceChildren(...points.map((p, i) => h('tr', {},
      h('td', {}, String(i + 1)),
      h('td', {}, `${p.px[0].toFixed(0)}, ${p.px[1].toFixed(0)}`),
      h('td', {}, p.fx), h('td', {}, p.fy),
      h('td', {}, h('button', {
        type: 'button',
        class: 'link danger',
        onclick: () => { points.splice(i, 1); renderRows(); draw(); },
      }, 'remove')))));
  };
  const addPoint = (px, floor = ['', '']) => {
    const input = (v, name) => h('input', { type: 'number', step: '0.01', value: v, name, required: true, class: 'num' });
    points.push({ px, fx: input(floor[0], 'floor-x'), fy: input(floor[1], 'floor-y') });
    renderRows();
    draw();
  };
  canvas.addEventListener('click', (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * canvas.width;
    const y = ((ev.clientY - r.top) / r.height) * canvas.height;
    addPoint([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  });
  img.onload = () => {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    out.textContent = 'Click a floor point on the picture, then type its floor position.';
    draw();
  };
  img.onerror = () => { out.textContent = 'No picture from this camera yet (is it online?). Points can still be typed after clicking.'; draw(); };
  img.src = `/api/cameras/${encodeURIComponent(cam.id)}/snapshot.jpg?t=${Date.now()}`;

  api('GET', `/api/cameras/${cam.id}/calibration`).then((c) => {
    c.image_px.forEach((px, i) => addPoint(px, c.floor_m[i]));
    out.textContent = `Stored calibration: mean error ${(c.mean_error_m * 100).toFixed(1)} cm.`;
  }).catch(() => {});

  const save = async () => {
    const body = {
      image_px: points.map((p) => p.px),
      floor_m: points.map((p) => [Number(p.fx.value), Number(p.fy.value)]),
    };
    if (points.length < 4) { out.textContent = 'At least 4 points are needed.'; out.className = 'error'; return; }
    if (points.some((p) => p.fx.value === '' || p.fy.value === '')) { out.textContent = 'Every point needs its floor position.'; out.className = 'error'; return; }
    try {
      const r = await api('PUT', `/api/cameras/${cam.id}/calibration`, body);
      out.className = 'notice';
      out.textContent = `Saved: mean error ${(r.mean_error_m * 100).toFixed(1)} cm over ${points.length} points.`;
      say(`Calibration of ${cam.name} saved.`);
      changed();
    } catch (e) { out.className = 'error'; out.textContent = e.message; }
  };
  const remove = async () => {
    try {
      await api('DELETE', `/api/cameras/${cam.id}/calibration`);
      points.length = 0;
      renderRows();
      draw();
      out.className = 'notice';
      out.textContent = 'Calibration removed.';
      changed();
    } catch (e) { out.className = 'error'; out.textContent = e.message; }
  };
  return h('div', { class: 'calibration' },
    h('div', { class: 'row spread' }, h('h2', {}, `Calibrate ${cam.name}`), h('button', { type: 'button', class: 'link', onclick: close }, 'Close')),
    h('p', { class: 'muted small' }, 'Feet are the bottom centre of each box; pick points on the floor. Floor positions are metres in one plan shared by the room.'),
    canvas, out,
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Image (px)'), h('th', {}, 'Floor x (m)'), h('th', {}, 'Floor y (m)'), h('th', {}, ''))), rows)),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'calibration-save', onclick: save }, 'Save calibration'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Remove calibration')));
}
