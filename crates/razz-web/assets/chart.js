// A step chart of occupancy on a canvas, readable without hovering: labelled axes, grid,
// the peak marked with its value and time, and the current value at the right edge.

/**
 * `points`: [{ts_ms, count}] sorted by time; the count holds until the next point.
 * `fromMs`..`toMs`: the window shown. Returns {peak, peakAt, now, mean} for a caption.
 */
export function drawStepChart(canvas, points, fromMs, toMs, colour = '#2563eb') {
  const dpr = window.devicePixelRatio || 1;
  const cssW = Math.max(280, canvas.parentElement ? canvas.parentElement.clientWidth : 600);
  const cssH = cssW < 500 ? 180 : 220;
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const c = canvas.getContext('2d');
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  c.clearRect(0, 0, cssW, cssH);
  const pad = { l: 36, r: 40, t: 16, b: 28 };
  const w = cssW - pad.l - pad.r;
  const hgt = cssH - pad.t - pad.b;
  const steps = toSteps(points, fromMs, toMs);
  const peak = steps.reduce((m, s) => Math.max(m, s.count), 0);
  const yMax = Math.max(2, niceCeil(peak));
  const x = (t) => pad.l + ((t - fromMs) / (toMs - fromMs)) * w;
  const y = (v) => pad.t + hgt - (v / yMax) * hgt;
  c.font = '12px system-ui, sans-serif';
  c.textBaseline = 'middle';
  // Horizontal grid with count labels.
  const yStep = Math.max(1, Math.ceil(yMax / 4));
  for (let v = 0; v <= yMax; v += yStep) {
    c.strokeStyle = v === 0 ? '#888' : '#ddd';
    c.beginPath(); c.moveTo(pad.l, y(v)); c.lineTo(pad.l + w, y(v)); c.stroke();
    c.fillStyle = '#555'; c.textAlign = 'right'; c.fillText(String(v), pad.l - 6, y(v));
  }
  // Time labels.
  const span = toMs - fromMs;
  const tick = span <= 2 * 3600e3 ? 10 * 60e3 : 3 * 3600e3;
  c.textAlign = 'center'; c.textBaseline = 'top';
  const tz = new Date().getTimezoneOffset() * 60e3;
  for (let t = Math.ceil((fromMs - tz) / tick) * tick + tz; t <= toMs; t += tick) {
    c.strokeStyle = '#eee';
    c.beginPath(); c.moveTo(x(t), pad.t); c.lineTo(x(t), pad.t + hgt); c.stroke();
    c.fillStyle = '#555';
    c.fillText(new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), x(t), pad.t + hgt + 6);
  }
  if (steps.length === 0) {
    c.textAlign = 'center'; c.textBaseline = 'middle'; c.fillStyle = '#777';
    c.fillText('No history in this period', pad.l + w / 2, pad.t + hgt / 2);
    return { peak: 0, peakAt: null, now: null, mean: null };
  }
  // The step line, filled below.
  c.beginPath();
  c.moveTo(x(steps[0].from), y(0));
  for (const s of steps) { c.lineTo(x(s.from), y(s.count)); c.lineTo(x(s.to), y(s.count)); }
  c.lineTo(x(steps[steps.length - 1].to), y(0));
  c.closePath();
  c.fillStyle = `${colour}22`; c.fill();
  c.beginPath();
  steps.forEach((s, i) => {
    if (i === 0) c.moveTo(x(s.from), y(s.count)); else c.lineTo(x(s.from), y(s.count));
    c.lineTo(x(s.to), y(s.count));
  });
  c.strokeStyle = colour; c.lineWidth = 2; c.stroke();
  // Peak marker and current value, labelled on the chart.
  const top = steps.find((s) => s.count === peak);
  c.fillStyle = colour;
  c.beginPath(); c.arc(x(top.from), y(peak), 4, 0, 2 * Math.PI); c.fill();
  c.textAlign = x(top.from) > pad.l + w - 80 ? 'right' : 'left'; c.textBaseline = 'bottom';
  c.fillStyle = '#111';
  c.fillText(`peak ${peak}`, x(top.from) + (c.textAlign === 'left' ? 6 : -6), y(peak) - 2);
  const last = steps[steps.length - 1];
  c.textAlign = 'left'; c.textBaseline = 'middle';
  c.fillText(String(last.count), pad.l + w + 6, y(last.count));
  let area = 0; let len = 0;
  for (const s of steps) { area += s.count * (s.to - s.from); len += s.to - s.from; }
  return { peak, peakAt: top.from, now: last.count, mean: len > 0 ? area / len : null };
}

/** Points -> [{from, to, count}] clipped to the window; the last step runs to `toMs`. */
export function toSteps(points, fromMs, toMs) {
  const out = [];
  let prev = null;
  for (const p of points) {
    if (p.ts_ms > toMs) break;
    if (prev) out.push({ from: Math.max(prev.ts_ms, fromMs), to: p.ts_ms, count: prev.count });
    prev = p;
  }
  if (prev) out.push({ from: Math.max(prev.ts_ms, fromMs), to: toMs, count: prev.count });
  return out.filter((s) => s.to > s.from);
}

function niceCeil(v) {
  if (v <= 5) return Math.ceil(v);
  const mag = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / mag * 2) / 2 * mag;
}
