// Unit tests of the web app's pure parts, with hand-checked numbers: the overlay's box
// interpolation between two tracking results, the history chart's steps, and why a room is
// flagged degraded.
// Run: node --test unit.test.mjs (crates/razz/tests/web_browser.rs does).

import test from 'node:test';
import assert from 'node:assert/strict';
import { CameraView } from '../crates/razz-web/assets/overlay.js';
import { toSteps } from '../crates/razz-web/assets/chart.js';
import { personColour, degradedText, calibrationText } from '../crates/razz-web/assets/api.js';

const boxesAt = (results, ts) => CameraView.prototype.boxesAt.call({ results }, ts);
const a = { ts: 1000, people: [{ track_id: 1, global_id: 7, box: [100, 50, 20, 40] }, { track_id: 2, global_id: 8, box: [0, 0, 10, 10] }] };
const b = { ts: 1200, people: [{ track_id: 1, global_id: 7, box: [120, 60, 20, 40] }, { track_id: 3, global_id: 9, box: [5, 5, 10, 10] }] };

test('a detected frame gets its own result, unchanged', () => {
  assert.deepEqual(boxesAt([a, b], 1000), a.people);
  assert.deepEqual(boxesAt([a, b], 1200), b.people);
});

test('a frame between two results gets boxes interpolated per track', () => {
  // 1050 is a quarter of the way: x 100 -> 120 gives 105, y 50 -> 60 gives 52.5.
  const q = boxesAt([a, b], 1050);
  const t1 = q.find((p) => p.track_id === 1);
  assert.deepEqual(t1.box, [105, 52.5, 20, 40]);
  assert.equal(t1.global_id, 7);
  // Before half way, a track that ended is still drawn; one that starts is not yet.
  assert.ok(q.some((p) => p.track_id === 2));
  assert.ok(!q.some((p) => p.track_id === 3));
  // Past half way it is the other way round.
  const r = boxesAt([a, b], 1150);
  assert.deepEqual(r.find((p) => p.track_id === 1).box, [115, 57.5, 20, 40]);
  assert.ok(!r.some((p) => p.track_id === 2));
  assert.ok(r.some((p) => p.track_id === 3));
});

test('before the first or after the last result, the nearest one is used', () => {
  assert.deepEqual(boxesAt([a, b], 900), a.people);
  assert.deepEqual(boxesAt([a, b], 1300), b.people);
  assert.deepEqual(boxesAt([], 1000), []);
});

test('history points become steps clipped to the window', () => {
  const pts = [{ ts_ms: 0, count: 2 }, { ts_ms: 100, count: 5 }, { ts_ms: 250, count: 1 }];
  assert.deepEqual(toSteps(pts, 50, 300), [
    { from: 50, to: 100, count: 2 },
    { from: 100, to: 250, count: 5 },
    { from: 250, to: 300, count: 1 },
  ]);
  // Points after the window are ignored; an empty history gives no steps.
  assert.deepEqual(toSteps(pts, 0, 200), [{ from: 0, to: 100, count: 2 }, { from: 100, to: 200, count: 5 }]);
  assert.deepEqual(toSteps([], 0, 100), []);
});

test('one global id, one colour; neighbouring ids far apart in hue', () => {
  assert.equal(personColour(7), personColour(7));
  assert.equal(personColour(0), 'hsl(0 85% 55%)');
  assert.equal(personColour(1), 'hsl(138 85% 55%)'); // 137.508 rounds to 138
  assert.notEqual(personColour(1), personColour(2));
});

test('a degraded room names its offline and its starved cameras', () => {
  const names = new Map([['a', 'Door'], ['b', 'Desk']]);
  const off = { offline_cameras: ['a'], starved_cameras: [] };
  assert.equal(degradedText(off, names), 'Degraded: Door offline. The count may be low.');
  const both = { offline_cameras: ['a'], starved_cameras: ['b', 'c'] };
  assert.equal(degradedText(both, names),
    'Degraded: Door offline. The count may be low. Desk, c: detector too slow to track people. The count may be wrong.');
  // A server from before `starved_cameras` existed.
  assert.equal(degradedText({ offline_cameras: ['b'] }, names), 'Degraded: Desk offline. The count may be low.');
});

test('a room of several cameras names its uncalibrated ones, and only then', () => {
  const names = new Map([['a', 'Door'], ['b', 'Desk']]);
  assert.equal(calibrationText({ uncalibrated_cameras: [] }, names), '');
  // A server from before `uncalibrated_cameras` existed.
  assert.equal(calibrationText({}, names), '');
  assert.equal(calibrationText({ uncalibrated_cameras: ['a'] }, names),
    'Not de-duplicated: Door is not calibrated, so a person seen by two cameras may be counted twice. Calibrate under Cameras.');
  assert.equal(calibrationText({ uncalibrated_cameras: ['a', 'c'] }, names),
    'Not de-duplicated: Door, c are not calibrated, so a person seen by two cameras may be counted twice. Calibrate under Cameras.');
});
