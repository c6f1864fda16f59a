// Camera management (admins): rooms, and cameras added, edited, disabled and deleted with a
// live status each. Credentials are entered once and never shown again (the service never
// returns them). "Test connection" says what went wrong (login, unreachable, no such stream,
// no video). Calibration points are picked by clicking on the camera's snapshot, and each
// camera says whether it is calibrated. A room's floor area (corners in the calibration's
// metres) is typed one corner per line.

import { api, h } from './api.js';
import { calibrationPanel } from './calibration.js';

export async function mount(main) {
  const state = { rooms: [], cameras: [], timer: null, panel: null };
  const roomsBox = h('section', { class: 'card' });
  const camsBox = h('section', { class: 'card' });
  const formBox = h('section', { class: 'card', id: 'camera-form-box' });
  const calBox = h('section', { class: 'card', id: 'calibration-box' });
  calBox.hidden = true;
  const flash = h('p', { class: 'notice', role: 'status' });
  flash.hidden = true;
  main.replaceChildren(h('h1', {}, 'Cameras'), flash, camsBox, formBox, calBox, roomsBox);

  const say = (text, bad = false) => {
    flash.textContent = text;
    flash.className = bad ? 'error' : 'notice';
    flash.hidden = false;
  };

  /** Runs a change through the API, says how it went, and shows the new lists. */
  async function change(request, done) {
    try {
      await request();
      if (done) say(done);
      await reload();
    } catch (e) { say(e.message, true); }
  }

  async function reload() {
    [state.rooms, state.cameras] = await Promise.all([api('GET', '/api/rooms'), api('GET', '/api/cameras')]);
    renderRooms();
    renderCameras();
    refreshStatus();
  }

  function renderRooms() {
    const id = h('input', { name: 'room-id', placeholder: 'vault-1', required: true, pattern: '[A-Za-z0-9_-]{1,64}' });
    const name = h('input', { name: 'room-name', placeholder: 'Vault room 1', required: true });
    const form = h('form', { class: 'row', id: 'room-form' },
      h('label', {}, 'Id', id), h('label', {}, 'Name', name), h('button', { type: 'submit' }, 'Add room'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { id: id.value.trim(), name: name.value.trim() };
      await change(() => api('POST', '/api/rooms', body), `Room ${body.name} added.`);
    });
    roomsBox.replaceChildren(h('h2', {}, 'Rooms'),
      h('ul', { class: 'plain' }, ...state.rooms.map((r) => h('li', { 'data-room': r.id },
        h('strong', {}, r.name), h('span', { class: 'muted' }, ` (${r.id}) `),
        h('button', {
          type: 'button',
          class: 'link danger',
          onclick: async () => {
            if (!confirm(`Delete room ${r.name}?`)) return;
            await change(() => api('DELETE', `/api/rooms/${r.id}`), `Room ${r.name} deleted.`);
          },
        }, 'delete'),
        areaEditor(r)))),
      form);
  }

  /** The room's floor area: only people whose feet are inside count (needs calibration). */
  function areaEditor(r) {
    const corners = r.floor_area ? JSON.parse(r.floor_area) : [];
    const text = h('textarea', { name: 'floor-area', rows: 4, cols: 24, placeholder: '0, 0\n8, 0\n8, 10\n0, 10' });
    text.value = corners.map((p) => p.join(', ')).join('\n');
    const save = async () => {
      const corners_m = text.value.split('\n').map((l) => l.trim()).filter(Boolean)
        .map((l) => l.split(/[\s,;]+/).map(Number));
      await change(() => api('PUT', `/api/rooms/${r.id}/floor-area`, { corners_m }), `Floor area of ${r.name} saved.`);
    };
    const remove = () => change(() => api('DELETE', `/api/rooms/${r.id}/floor-area`), `Floor area of ${r.name} removed: everyone seen counts.`);
    return h('details', { class: 'floor-area' },
      h('summary', {}, corners.length ? `floor area: ${corners.length} corners` : 'floor area: whole view'),
      h('p', { class: 'muted small' }, 'Corners x, y in metres (the cameras\' calibration frame), one per line. Only people standing inside count.'),
      text,
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'area-save', onclick: save }, 'Save area'),
        corners.length ? h('button', { type: 'button', class: 'danger', onclick: remove }, 'Remove area') : null));
  }

  function renderCameras() {
    const rows = state.cameras.map((c) => {
      const status = h('span', { class: 'status', 'data-status': c.id }, c.enabled ? '…' : 'disabled');
      const room = state.rooms.find((r) => r.id === c.room_id);
      return h('tr', { 'data-camera': c.id },
        h('td', {}, h('strong', {}, c.name), h('div', { class: 'muted small' }, c.id),
          h('div', { class: 'muted small', 'data-calibrated': String(!!c.calibration) },
            c.calibration ? 'floor calibrated' : 'not calibrated')),
        h('td', {}, room ? room.name : c.room_id),
        h('td', { class: 'url' }, c.url, c.has_credentials ? h('div', { class: 'muted small' }, 'login stored') : null),
        h('td', {}, status),
        h('td', { class: 'actions' },
          h('button', { type: 'button', onclick: () => editForm(c) }, 'Edit'),
          h('button', {
            type: 'button',
            onclick: async () => {
              await change(() => api('PATCH', `/api/cameras/${c.id}`, { enabled: !c.enabled }));
            },
          }, c.enabled ? 'Disable' : 'Enable'),
          h('button', { type: 'button', onclick: () => openCalibration(c) }, 'Calibrate'),
          h('button', {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm(`Delete camera ${c.name}?`)) return;
              await change(() => api('DELETE', `/api/cameras/${c.id}`), `Camera ${c.name} deleted.`);
            },
          }, 'Delete')));
    });
    camsBox.replaceChildren(
      h('div', { class: 'row spread' }, h('h2', {}, 'Cameras'),
        h('button', { type: 'button', id: 'add-camera', onclick: () => editForm(null) }, 'Add camera')),
      state.cameras.length
        ? h('div', { class: 'scroll' }, h('table', { class: 'cams-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Camera'), h('th', {}, 'Room'), h('th', {}, 'Stream'), h('th', {}, 'Status'), h('th', {}, ''))),
          h('tbody', {}, ...rows)))
        : h('p', { class: 'muted' }, 'No cameras yet.'));
  }

  async function refreshStatus() {
    for (const c of state.cameras) {
      const el = camsBox.querySelector(`[data-status="${c.id}"]`);
      if (!el || !c.enabled) continue;
      try {
        const s = await api('GET', `/api/cameras/${c.id}/status`);
        el.replaceChildren(h('span', {},
          h('span', { class: `dot ${s.online ? 'on' : 'off'}` }),
          s.online ? `online · ${s.fps.toFixed(1)} fps` : 'offline',
          s.last_error && !s.online ? h('div', { class: 'error small' }, s.last_error) : null));
        el.dataset.online = String(s.online);
      } catch { /* the camera may just have been deleted */ }
    }
  }
  state.timer = setInterval(refreshStatus, 2000);

  function editForm(cam) {
    const editing = !!cam;
    const f = {
      id: h('input', { name: 'id', required: true, value: cam ? cam.id : '', readonly: editing, pattern: '[A-Za-z0-9_-]{1,64}' }),
      room: h('select', { name: 'room_id', required: true },
        ...state.rooms.map((r) => h('option', { value: r.id, selected: cam ? cam.room_id === r.id : false }, r.name))),
      name: h('input', { name: 'name', required: true, value: cam ? cam.name : '' }),
      url: h('input', { name: 'url', required: true, value: cam ? cam.url : '', placeholder: 'rtsp://192.168.1.20:554/stream1' }),
      username: h('input', { name: 'username', autocomplete: 'off', placeholder: editing && cam.has_credentials ? 'stored, not shown' : 'optional' }),
      password: h('input', { name: 'password', type: 'password', autocomplete: 'new-password', placeholder: editing && cam.has_credentials ? 'stored, not shown' : 'optional' }),
      clear: h('input', { name: 'clear_credentials', type: 'checkbox' }),
      fps: h('input', { name: 'detect_fps', type: 'number', min: '0.1', max: '30', step: '0.1', value: cam ? cam.detect_fps : 5 }),
      enabled: h('input', { name: 'enabled', type: 'checkbox', checked: cam ? cam.enabled : true }),
    };
    const result = h('p', { class: 'probe', id: 'probe-result', role: 'status' });
    result.hidden = true;
    const testBtn = h('button', { type: 'button', id: 'test-connection' }, 'Test connection');
    testBtn.addEventListener('click', async () => {
      const body = { url: f.url.value.trim() };
      if (editing) body.camera_id = cam.id;
      if (f.username.value) { body.username = f.username.value; body.password = f.password.value; }
      result.hidden = false;
      result.className = 'probe';
      result.textContent = 'Testing…';
      testBtn.disabled = true;
      try {
        const r = await api('POST', '/api/connection-test', body);
        result.className = `probe ${r.ok ? 'ok' : 'bad'}`;
        result.dataset.kind = r.kind;
        result.textContent = r.ok ? `OK: ${r.message}` : `Failed: ${r.message}`;
      } catch (e) {
        result.className = 'probe bad';
        result.dataset.kind = 'error';
        result.textContent = e.message;
      } finally { testBtn.disabled = false; }
    });
    const form = h('form', { id: 'camera-form', class: 'grid-form' },
      h('h2', {}, editing ? `Edit ${cam.name}` : 'Add camera'),
      h('label', {}, 'Id', f.id),
      h('label', {}, 'Room', f.room),
      h('label', {}, 'Name', f.name),
      h('label', { class: 'wide' }, 'Stream URL', f.url),
      h('label', {}, 'User name', f.username),
      h('label', {}, 'Password', f.password),
      editing && cam.has_credentials ? h('label', { class: 'check' }, f.clear, 'Remove the stored login') : null,
      h('label', {}, 'Detections per second', f.fps),
      h('label', { class: 'check' }, f.enabled, 'Enabled'),
      h('p', { class: 'muted small wide' }, 'The login is stored encrypted and never shown again; leave it blank to keep the stored one.'),
      result,
      h('div', { class: 'row wide' }, testBtn, h('button', { type: 'submit' }, editing ? 'Save' : 'Add camera'),
        h('button', { type: 'button', class: 'link', onclick: () => formBox.replaceChildren() }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {
        room_id: f.room.value,
        name: f.name.value.trim(),
        url: f.url.value.trim(),
        enabled: f.enabled.checked,
        detect_fps: Number(f.fps.value),
      };
      if (f.username.value) { body.username = f.username.value; body.password = f.password.value; } else if (f.password.value) body.password = f.password.value;
      try {
        if (editing) {
          if (f.clear.checked && !f.username.value) body.clear_credentials = true;
          await api('PATCH', `/api/cameras/${cam.id}`, body);
          say(`Camera ${body.name} saved.`);
        } else {
          await api('POST', '/api/cameras', { id: f.id.value.trim(), ...body });
          say(`Camera ${body.name} added.`);
        }
        formBox.replaceChildren();
        await reload();
      } catch (e) {
        say(e.message, true);
      }
    });
    formBox.replaceChildren(form);
    form.scrollIntoView({ block: 'nearest' });
  }

  function openCalibration(cam) {
    calBox.hidden = false;
    calBox.replaceChildren(calibrationPanel(cam, {
      say,
      close: () => { calBox.hidden = true; calBox.replaceChildren(); },
      changed: () => reload().catch((e) => say(e.message, true)),
    }));
    calBox.scrollIntoView({ block: 'nearest' });
  }

  try { await reload(); } catch (e) { say(e.message, true); }
  return () => clearInterval(state.timer);
}
