// razz web app: talking to the service. Every request goes to this origin with the session
// cookie; a 401 means the session ended, and the app returns to the login page saying so.

/** Thrown for non-2xx answers; `status` and the service's one-line `message`. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let onExpired = () => {};
/** Called once when any request finds the session gone. */
export function setOnExpired(f) { onExpired = f; }

/** `method path [body]` -> parsed JSON (null for 204). */
export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'The service cannot be reached. Is it running?');
  }
  if (r.status === 204) return null;
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    const msg = (data && (data.message || data.error)) || `${r.status} ${r.statusText}`;
    if (r.status === 401 && path !== '/api/login') onExpired();
    throw new ApiError(r.status, msg);
  }
  return data;
}

/**
 * A WebSocket that reconnects by itself (0.5 s doubling to 10 s) until `close()`.
 * `onMessage(event)`; `onState('open' | 'closed')`.
 */
export function liveSocket(path, { onMessage, onState = () => {}, binary = false }) {
  let ws = null;
  let stopped = false;
  let delay = 500;
  let timer = null;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  const connect = () => {
    ws = new WebSocket(url);
    if (binary) ws.binaryType = 'arraybuffer';
    ws.onopen = () => { delay = 500; onState('open'); };
    ws.onmessage = onMessage;
    ws.onclose = () => {
      onState('closed');
      if (stopped) return;
      // The socket may have closed because the session ended: ask once, cheaply.
      api('GET', '/api/me').catch(() => {});
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  };
  connect();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}

/** Same person, same colour, in every camera: a hue from the global id. */
export function personColour(id) {
  if (id === null || id === undefined) return 'hsl(0 0% 70%)';
  const hue = (Number(id) * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 85% 55%)`;
}

/** `h('div', {class: 'x', onclick: f}, child, ...)`: DOM without HTML strings. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') el.style.cssText = v; // CSSOM: allowed by the page's CSP
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Why a room's count is flagged (`degraded`): its offline cameras, and the online ones whose
 * detector runs too seldom to track people (`starved_cameras`), by name.
 */
export function degradedText(d, names) {
  const name = (id) => names.get(id) || id;
  const parts = [];
  if (d.offline_cameras.length) {
    parts.push(`${d.offline_cameras.map(name).join(', ')} offline. The count may be low.`);
  }
  if ((d.starved_cameras || []).length) {
    parts.push(`${d.starved_cameras.map(name).join(', ')}: detector too slow to track people. The count may be wrong.`);
  }
  return `Degraded: ${parts.join(' ')}`;
}

/**
 * Why a room of several cameras is not de-duplicated (`uncalibrated_cameras`): its cameras
 * without a floor calibration, by name; '' when there are none (or the server predates it).
 */
export function calibrationText(d, names) {
  const ids = d.uncalibrated_cameras || [];
  if (!ids.length) return '';
  const name = (id) => names.get(id) || id;
  const which = ids.length === 1 ? `${name(ids[0])} is` : `${ids.map(name).join(', ')} are`;
  return `Not de-duplicated: ${which} not calibrated, so a person seen by two cameras may be counted twice. Calibrate under Cameras.`;
}

/** "14:03:27" for a time in ms since the epoch. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "3 s ago", "2 min ago". */
export function ago(ms, now = Date.now()) {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
