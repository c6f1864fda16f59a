// One camera's live picture with its overlay. Two sockets: JPEG frames stamped with their
// arrival time (`/ws/cameras/ID/video`) and tracking results stamped with the time of the
// frame they were computed on (`/ws/cameras/ID`, `frame_ts_ms`). Frames wait in a short
// buffer until the tracking result for their instant has arrived, so every box is drawn on
// the frame it belongs to: exactly on detected frames, interpolated per track between the
// two results around a frame in between. If results stop (detector busy or camera idle),
// frames are shown bare after HOLD_MS rather than freezing the picture.

import { liveSocket, personColour, h } from './api.js';

const HOLD_MS = 1500;      // longest a frame waits for its tracking result
const KEEP_MS = 4000;      // results kept for interpolation
const MAX_FRAMES = 40;     // frames buffered at most (about 4 s at 10 fps)
const CATCH_UP = 3;        // ready frames beyond this are skipped to stay near live

export class CameraView {
  constructor(camera) {
    this.camera = camera;
    this.canvas = h('canvas', { class: 'video', width: 768, height: 432, 'data-camera': camera.id });
    this.canvas.razzView = this; // lets a test read what was drawn (boxes and colours)
    this.ctx = this.canvas.getContext('2d');
    this.status = h('span', { class: 'muted small' }, 'connecting…');
    this.el = h('figure', { class: 'camera-tile' },
      this.canvas,
      h('figcaption', {}, h('strong', {}, camera.name), ' ', this.status));
    this.frames = [];      // {ts, bitmap, at}
    this.results = [];     // {ts, people}
    this.shown = -Infinity;
    this.shownAt = 0;
    this.stats = { received: 0, drawn: 0, boxes: 0, missed: 0 };
    this.video = liveSocket(`/ws/cameras/${encodeURIComponent(camera.id)}/video`, {
      binary: true,
      onMessage: (ev) => this.onFrame(ev.data),
      onState: (s) => { if (s !== 'open') this.status.textContent = 'reconnecting…'; },
    });
    this.tracks = liveSocket(`/ws/cameras/${encodeURIComponent(camera.id)}`, {
      onMessage: (ev) => this.onResult(ev.data),
    });
    this.raf = requestAnimationFrame(() => this.tick());
  }

  async onFrame(buf) {
    if (!(buf instanceof ArrayBuffer) || buf.byteLength < 4) return;
    const len = new DataView(buf).getUint32(0);
    if (4 + len > buf.byteLength) return;
    let head;
    try { head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, len))); } catch { return; }
    let bitmap;
    try {
      bitmap = await createImageBitmap(new Blob([new Uint8Array(buf, 4 + len)], { type: 'image/jpeg' }));
    } catch { return; }
    this.stats.received += 1;
    this.stats.missed += head.missed || 0;
    this.frames.push({ ts: head.ts_ms, bitmap, at: performance.now() });
    this.frames.sort((a, b) => a.ts - b.ts);
    while (this.frames.length > MAX_FRAMES) this.frames.shift().bitmap.close();
  }

  onResult(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    const d = msg.data;
    if (!d || !d.frame_ts_ms) return;
    const last = this.results[this.results.length - 1];
    if (last && last.ts >= d.frame_ts_ms) return;
    this.results.push({ ts: d.frame_ts_ms, people: d.people });
    const keepFrom = d.frame_ts_ms - KEEP_MS;
    while (this.results.length > 2 && this.results[0].ts < keepFrom) this.results.shift();
  }

  /**
   * The frame to show now, and whether its boxes are known. Frames whose results have come
   * are played in order at their own pace (so frames between two detections are shown too,
   * with interpolated boxes); when more than CATCH_UP are ready the oldest are skipped.
   */
  pick() {
    const newestResult = this.results.length ? this.results[this.results.length - 1].ts : -Infinity;
    const now = performance.now();
    let ready = 0;
    while (ready < this.frames.length && this.frames[ready].ts <= newestResult) ready += 1;
    if (ready === 0) {
      const stale = this.frames.length && now - this.frames[0].at > HOLD_MS;
      return stale ? { i: this.frames.length - 1, withBoxes: false } : null;
    }
    let i = ready > CATCH_UP ? ready - CATCH_UP : 0;
    if (this.frames[i].ts === this.shown && i + 1 < ready) i += 1;
    const f = this.frames[i];
    if (f.ts === this.shown) return { i, withBoxes: true };
    const due = this.shownAt + (f.ts - this.shown) * 0.9;
    if (Number.isFinite(this.shown) && f.ts > this.shown && now < due && ready <= CATCH_UP) return null;
    return { i, withBoxes: true };
  }

  /** Boxes for instant `ts`: the result of that frame, or interpolated between two. */
  boxesAt(ts) {
    let a = null;
    let b = null;
    for (const r of this.results) {
      if (r.ts <= ts) a = r;
      if (r.ts >= ts) { b = r; break; }
    }
    if (!a && !b) return [];
    if (!a || !b || a.ts === b.ts) return (a || b).people;
    const f = (ts - a.ts) / (b.ts - a.ts);
    const inB = new Map(b.people.map((p) => [p.track_id, p]));
    const out = [];
    for (const p of a.people) {
      const q = inB.get(p.track_id);
      if (q) {
        out.push({ ...q, box: p.box.map((v, k) => v + (q.box[k] - v) * f) });
      } else if (f < 0.5) out.push(p);
    }
    if (f >= 0.5) {
      const inA = new Set(a.people.map((p) => p.track_id));
      for (const q of b.people) if (!inA.has(q.track_id)) out.push(q);
    }
    return out;
  }

  tick() {
    this.raf = requestAnimationFrame(() => this.tick());
    const p = this.pick();
    if (!p) return;
    const frame = this.frames[p.i];
    // Older frames will never be shown now.
    for (const f of this.frames.splice(0, p.i)) f.bitmap.close();
    if (frame.ts === this.shown) return;
    this.shown = frame.ts;
    this.shownAt = performance.now();
    const { bitmap } = frame;
    if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
      this.canvas.width = bitmap.width;
      this.canvas.height = bitmap.height;
    }
    const c = this.ctx;
    c.drawImage(bitmap, 0, 0);
    const people = p.withBoxes ? this.boxesAt(frame.ts) : [];
    const scale = Math.max(1, bitmap.width / 640);
    c.lineWidth = 2 * scale;
    c.font = `${Math.round(13 * scale)}px system-ui, sans-serif`;
    for (const person of people) {
      const [x, y, w, hgt] = person.box;
      const colour = personColour(person.global_id);
      c.strokeStyle = colour;
      c.strokeRect(x, y, w, hgt);
      const label = person.global_id != null ? `#${person.global_id} · t${person.track_id}` : `t${person.track_id}`;
      const tw = c.measureText(label).width + 6 * scale;
      const th = 16 * scale;
      c.fillStyle = colour;
      c.fillRect(x - 1, Math.max(0, y - th), tw, th);
      c.fillStyle = '#000';
      c.fillText(label, x + 2 * scale, Math.max(th, y) - 4 * scale);
    }
    this.drawnBoxes = people.map((q) => ({ box: q.box, colour: personColour(q.global_id), global_id: q.global_id }));
    this.stats.drawn += 1;
    this.stats.boxes += people.length;
    Object.assign(this.canvas.dataset, {
      framesReceived: this.stats.received,
      framesDrawn: this.stats.drawn,
      boxesDrawn: this.stats.boxes,
      frameTs: frame.ts,
      lastBoxes: people.length,
    });
    const lag = Date.now() - frame.ts;
    this.status.textContent = `${people.length} tracked · ${p.withBoxes ? `${Math.max(0, lag)} ms behind live` : 'no tracking results'}`;
  }

  close() {
    cancelAnimationFrame(this.raf);
    this.video.close();
    this.tracks.close();
    for (const f of this.frames) f.bitmap.close();
    this.frames = [];
  }
}
