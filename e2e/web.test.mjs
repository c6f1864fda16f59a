// Browser test of razz's web app: Playwright (playwright-core) drives Debian's chromium,
// headless, against a real `razz serve` fed by a real RTSP server. The Rust test
// crates/razz/tests/web_browser.rs starts both and runs this script with:
//   RAZZ_URL            http://127.0.0.1:PORT of razz serve
//   RAZZ_ADMIN_PASSWORD the admin's password; RAZZ_VIEWER_PASSWORD for user "viewer1"
//   RAZZ_ROOM           a room whose cameras see people; RAZZ_CAMERA one of them
//   RAZZ_RTSP_URL       a stream needing the login RAZZ_RTSP_USER / RAZZ_RTSP_PASSWORD
//   SCREENSHOT_DIR      where screenshots go
// Every step prints a line; any failure exits non-zero with the reason.

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) { console.error(`web.test: ${k} is not set`); process.exit(2); }
  return v;
};
const BASE = env('RAZZ_URL');
const ADMIN_PW = env('RAZZ_ADMIN_PASSWORD');
const VIEWER_PW = env('RAZZ_VIEWER_PASSWORD');
const ROOM = env('RAZZ_ROOM');
const CAMERA = env('RAZZ_CAMERA');
const RTSP_URL = env('RAZZ_RTSP_URL');
const RTSP_USER = env('RAZZ_RTSP_USER');
const RTSP_PW = env('RAZZ_RTSP_PASSWORD');
const SHOTS = env('SCREENSHOT_DIR');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
rmSync(SHOTS, { recursive: true, force: true });
mkdirSync(SHOTS, { recursive: true });

const origin = new URL(BASE);
const external = [];
const t0 = Date.now();
const step = (s) => console.log(`web.test: [${((Date.now() - t0) / 1000).toFixed(1)} s] ${s}`);

/** A fresh browser with its own empty profile, logging every request it makes. */
async function browser(viewport) {
  const profile = mkdtempSync(join(tmpdir(), 'razz-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const check = (url) => {
    const u = new URL(url);
    const same = u.host === origin.host && ['http:', 'ws:'].includes(u.protocol);
    if (!same && !['data:', 'blob:'].includes(u.protocol)) external.push(url);
  };
  ctx.on('request', (r) => check(r.url()));
  ctx.on('page', (p) => p.on('websocket', (ws) => check(ws.url())));
  const close = async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); };
  return { ctx, close };
}

async function login(page, user, pw) {
  await page.goto(`${BASE}/`);
  await page.waitForSelector('#login-form');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', pw);
  await page.click('#login-form button[type=submit]');
}

/** No horizontal scrolling: the page fits its viewport. */
async function fits(page, what) {
  const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  assert.ok(sw <= cw + 1, `${what}: page is ${sw} px wide in a ${cw} px viewport`);
}

/**
 * Reads the canvas's pixels where the app says it drew each box (left edge, 5 points) and
 * checks they have that person's colour: boxes drawn, at their places, in their colours.
 * A point that a box drawn later paints over (its outline or its label) says nothing about
 * this box and is not read; a box with fewer than 3 points left is not checked.
 */
async function overlayPixels(page, selector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(sel);
    const boxes = canvas.razzView.drawnBoxes || [];
    const g = canvas.getContext('2d');
    const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgb = (css) => { probe.fillStyle = css; probe.fillRect(0, 0, 1, 1); return probe.getImageData(0, 0, 1, 1).data; };
    // As the app draws: outline 2 px per 640 px of width, label up to 16 px high above the box
    // (its width depends on the text: taken as 160 px, wider than any label here).
    const scale = Math.max(1, canvas.width / 640);
    const lw = 2 * scale + 1;
    const within = (v, lo, hi) => v >= lo && v <= hi;
    const paints = ([bx, by, bw, bh], px, py) => {
      const nearSide = (within(px, bx - lw, bx + lw) || within(px, bx + bw - lw, bx + bw + lw)) && within(py, by - lw, by + bh + lw);
      const nearTopBottom = (within(py, by - lw, by + lw) || within(py, by + bh - lw, by + bh + lw)) && within(px, bx - lw, bx + bw + lw);
      const label = within(px, bx - 2, bx + 160 * scale) && within(py, by - 17 * scale, by + 1);
      return nearSide || nearTopBottom || label;
    };
    let checked = 0;
    let matched = 0;
    const colours = new Set();
    boxes.forEach((b, i) => {
      const [x, y, w, h] = b.box;
      if (x < 2 || y < 2 || x + w > canvas.width - 2 || y + h > canvas.height - 2 || h < 20) return;
      const later = boxes.slice(i + 1).map((o) => o.box);
      const points = [1, 2, 3, 4, 5]
        // The outline is at least 2 px wide and centred on x, so pixel floor(x) lies wholly
        // inside it; pixel round(x) can be half video (anti-aliased) when x ends in .5 or more.
        .map((k) => [Math.floor(x), Math.round(y + (h * k) / 6)])
        .filter(([px, py]) => !later.some((o) => paints(o, px, py)));
      if (points.length < 3) return;
      checked += 1;
      const want = rgb(b.colour);
      colours.add(b.colour);
      let hits = 0;
      for (const [px, py] of points) {
        const d = g.getImageData(px, py, 1, 1).data;
        if (Math.abs(d[0] - want[0]) + Math.abs(d[1] - want[1]) + Math.abs(d[2] - want[2]) < 60) hits += 1;
      }
      if (hits >= 3) matched += 1;
    });
    return { boxes: boxes.length, checked, matched, colours: colours.size };
  }, selector);
}

let failed = false;
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
const { ctx, close } = await browser(desktop);
try {
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());

  step('a wrong password is refused with a clear message');
  await login(page, 'admin', 'not-the-password');
  assert.equal(await page.isVisible('#logout'), false, 'sign-out shown before signing in');
  await page.waitForSelector('#login-error:not([hidden])');
  assert.equal(await page.textContent('#login-error'), 'Wrong user name or password.');

  step('admin signs in and sees a non-zero live count');
  await login(page, 'admin', ADMIN_PW);
  await page.waitForSelector(`[data-room="${ROOM}"] .live.on`, { timeout: 20000 });
  await page.waitForFunction((room) => Number(document.querySelector(`.card.room[data-room="${room}"]`)?.dataset.count) > 0, ROOM, { timeout: 60000 });
  const dash = await page.textContent(`.card.room[data-room="${ROOM}"]`);
  assert.match(dash, /Last update \d\d:\d\d:\d\d/);
  assert.match(await page.textContent('#nav'), /Cameras/);
  step('a room with an offline camera is flagged degraded, naming the camera');
  await page.waitForSelector('.card.room[data-room="lobby"].is-degraded .degraded:not([hidden])', { timeout: 20000 });
  assert.match(await page.textContent('.card.room[data-room="lobby"] .degraded'), /Degraded: Lobby door offline/);
  await page.screenshot({ path: join(SHOTS, 'dashboard-1280.png') });

  step('room view: live video at >= 5 frames per second with boxes drawn on the canvas');
  await page.click(`.card.room[data-room="${ROOM}"]`);
  const canvasSel = `canvas[data-camera="${CAMERA}"]`;
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.lastBoxes) > 0, canvasSel, { timeout: 30000 });
  const before = await page.$eval(canvasSel, (c) => ({ r: Number(c.dataset.framesReceived), d: Number(c.dataset.framesDrawn), t: performance.now() }));
  await page.waitForTimeout(5000);
  const after = await page.$eval(canvasSel, (c) => ({ r: Number(c.dataset.framesReceived), d: Number(c.dataset.framesDrawn), t: performance.now() }));
  const secs = (after.t - before.t) / 1000;
  const fpsIn = (after.r - before.r) / secs;
  const fpsDrawn = (after.d - before.d) / secs;
  step(`  frames from the service ${fpsIn.toFixed(1)}/s, drawn with their boxes ${fpsDrawn.toFixed(1)}/s`);
  assert.ok(fpsIn >= 5, `only ${fpsIn.toFixed(1)} frames per second from the service`);
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.lastBoxes) > 0, canvasSel, { timeout: 10000 });
  const px = await overlayPixels(page, canvasSel);
  step(`  boxes drawn: ${px.boxes}; ${px.matched} of ${px.checked} inside the picture have their person's colour on the canvas; ${px.colours} colours`);
  assert.ok(px.checked > 0 && px.matched === px.checked, `overlay pixels missing: ${JSON.stringify(px)}`);
  // People merged across the room's cameras: someone with members in two cameras.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=people] > li[data-person]')]
    .some((li) => li.querySelectorAll('.members li').length >= 2), null, { timeout: 30000 });
  // Neither camera is calibrated yet: the room says it is not de-duplicated, naming both.
  const uncal = await page.textContent('[data-testid=uncalibrated]:not([hidden])');
  assert.match(uncal, /^Not de-duplicated: Camera (left|right), Camera (left|right) are not calibrated/);
  await page.screenshot({ path: join(SHOTS, 'room-1280.png') });

  step('cameras: test connection reports a wrong login, then a good one');
  await page.click('#nav a[href="#/cameras"]');
  await page.click('#add-camera');
  await page.fill('#camera-form input[name=id]', 'e2e-cam');
  await page.fill('#camera-form input[name=name]', 'Added by the browser test');
  await page.selectOption('#camera-form select[name=room_id]', ROOM);
  await page.fill('#camera-form input[name=url]', RTSP_URL);
  await page.fill('#camera-form input[name=username]', RTSP_USER);
  await page.fill('#camera-form input[name=password]', 'wrong-password');
  await page.click('#test-connection');
  await page.waitForSelector('#probe-result[data-kind]', { timeout: 30000 });
  assert.equal(await page.getAttribute('#probe-result', 'data-kind'), 'auth', await page.textContent('#probe-result'));
  step(`  ${await page.textContent('#probe-result')}`);
  await page.fill('#camera-form input[name=url]', 'rtsp://127.0.0.1:9/nothing');
  await page.$eval('#probe-result', (e) => e.removeAttribute('data-kind'));
  await page.click('#test-connection');
  await page.waitForSelector('#probe-result[data-kind]', { timeout: 30000 });
  assert.equal(await page.getAttribute('#probe-result', 'data-kind'), 'unreachable', await page.textContent('#probe-result'));
  await page.fill('#camera-form input[name=url]', RTSP_URL);
  await page.fill('#camera-form input[name=password]', RTSP_PW);
  await page.$eval('#probe-result', (e) => e.removeAttribute('data-kind'));
  await page.click('#test-connection');
  await page.waitForSelector('#probe-result[data-kind]', { timeout: 30000 });
  assert.equal(await page.getAttribute('#probe-result', 'data-kind'), 'ok', await page.textContent('#probe-result'));

  step('cameras: add it and see it come online');
  await page.click('#camera-form button[type=submit]');
  await page.waitForSelector('tr[data-camera="e2e-cam"]');
  await page.waitForSelector('[data-status="e2e-cam"][data-online="true"]', { timeout: 30000 });
  const html = await page.content();
  assert.ok(!html.includes(RTSP_PW), 'the camera password appears in the page');
  await page.screenshot({ path: join(SHOTS, 'cameras-1280.png'), fullPage: true });

  step('cameras: edit shows no credentials; disable; delete');
  await page.click('tr[data-camera="e2e-cam"] button:has-text("Edit")');
  assert.equal(await page.inputValue('#camera-form input[name=password]'), '');
  assert.equal(await page.getAttribute('#camera-form input[name=password]', 'placeholder'), 'stored, not shown');
  await page.click('#camera-form button.link');
  await page.click('tr[data-camera="e2e-cam"] button:has-text("Disable")');
  await page.waitForSelector('tr[data-camera="e2e-cam"] button:has-text("Enable")');
  assert.equal((await page.textContent('[data-status="e2e-cam"]')).trim(), 'disabled');
  await page.click('tr[data-camera="e2e-cam"] button:has-text("Delete")');
  await page.waitForSelector('tr[data-camera="e2e-cam"]', { state: 'detached' });

  step('cameras: calibration points picked by clicking on the snapshot');
  assert.equal(await page.textContent(`tr[data-camera="${CAMERA}"] [data-calibrated]`), 'not calibrated');
  await page.click(`tr[data-camera="${CAMERA}"] button:has-text("Calibrate")`);
  // The snapshot has loaded (the canvas takes the picture's size, 768x576) before clicking.
  await page.waitForFunction(() => /Click a floor point/.test(document.querySelector('#calibration-result')?.textContent || ''), null, { timeout: 15000 });
  assert.deepEqual(await page.$eval('#calibration-canvas', (c) => [c.width, c.height]), [768, 576]);
  const box = await page.locator('#calibration-canvas').boundingBox();
  const clicks = [[0.2, 0.6], [0.8, 0.6], [0.85, 0.95], [0.15, 0.95]];
  const floor = [[0, 0], [6, 0], [6, 4], [0, 4]];
  for (const [fx, fy] of clicks) await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  const xs = page.locator('#calibration-box input[name=floor-x]');
  const ys = page.locator('#calibration-box input[name=floor-y]');
  assert.equal(await xs.count(), 4);
  for (let i = 0; i < 4; i += 1) {
    await xs.nth(i).fill(String(floor[i][0]));
    await ys.nth(i).fill(String(floor[i][1]));
  }
  await page.click('#calibration-save');
  await page.waitForFunction(() => /Saved: mean error/.test(document.querySelector('#calibration-result')?.textContent || ''), null, { timeout: 10000 });
  // The camera list says so at once.
  await page.waitForSelector(`tr[data-camera="${CAMERA}"] [data-calibrated="true"]`, { timeout: 10000 });
  const cal = await page.evaluate(async (id) => (await fetch(`/api/cameras/${id}/calibration`)).json(), CAMERA);
  assert.equal(cal.image_px.length, 4);
  assert.ok(Math.abs(cal.image_px[0][0] - 0.2 * 768) < 3 && Math.abs(cal.image_px[0][1] - 0.6 * 576) < 3, JSON.stringify(cal.image_px));
  await page.screenshot({ path: join(SHOTS, 'calibration-1280.png'), fullPage: true });

  step('cameras: a room floor area typed in, refused when bad, saved, then removed');
  const areaItem = `li[data-room="${ROOM}"]`;
  const flashText = () => page.textContent('main p[role=status]');
  await page.click(`${areaItem} summary`);
  await page.fill(`${areaItem} textarea[name=floor-area]`, '0, 0\n6, 0');
  await page.click(`${areaItem} .area-save`);
  await page.waitForFunction(() => /3 to 64 corners/.test(document.querySelector('main p[role=status]')?.textContent || ''), null, { timeout: 10000 });
  await page.fill(`${areaItem} textarea[name=floor-area]`, '0, 0\n6, 0\n6, 4\n0, 4');
  await page.click(`${areaItem} .area-save`);
  await page.waitForFunction(() => /Floor area of .* saved/.test(document.querySelector('main p[role=status]')?.textContent || ''), null, { timeout: 10000 });
  const area = await page.evaluate(async (id) => (await fetch(`/api/rooms/${id}/floor-area`)).json(), ROOM);
  assert.equal(area.area_m2, 24);
  // The list is re-read after the message: wait for it.
  await page.waitForFunction((sel) => /4 corners/.test(document.querySelector(sel)?.textContent || ''), `${areaItem} summary`, { timeout: 10000 });
  await page.click(`${areaItem} summary`);
  await page.click(`${areaItem} button:has-text("Remove area")`);
  await page.waitForFunction(() => /removed/.test(document.querySelector('main p[role=status]')?.textContent || ''), null, { timeout: 10000 });
  assert.match(await flashText(), /everyone seen counts/);
  await page.waitForFunction((sel) => /whole view/.test(document.querySelector(sel)?.textContent || ''), `${areaItem} summary`, { timeout: 10000 });

  step('history: a chart of the room is drawn with its samples');
  await page.click('#nav a[href="#/history"]');
  const chartSel = `canvas.chart[data-room="${ROOM}"]`;
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.points) > 0, chartSel, { timeout: 20000 });
  const line = await page.$eval(chartSel, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i + 2] > 180 && d[i] < 80) n += 1;
    return n;
  });
  assert.ok(line > 50, `no chart line drawn (${line} line pixels)`);
  assert.match(await page.textContent(`section:has(${chartSel}) .caption`), /Now \d+ · peak \d+ at/);
  await page.click('button[data-range=day]');
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.points) > 0, chartSel, { timeout: 20000 });
  await page.screenshot({ path: join(SHOTS, 'history-1280.png'), fullPage: true });

  step('phone, 390x844: dashboard, room and history fit the screen');
  await page.setViewportSize(phone);
  for (const [hash, sel, name] of [['#/', `.card.room[data-room="${ROOM}"]`, 'dashboard'],
    [`#/rooms/${ROOM}`, canvasSel, 'room'], ['#/history', chartSel, 'history'], ['#/cameras', '#add-camera', 'cameras']]) {
    await page.goto(`${BASE}/${hash}`);
    await page.waitForSelector(sel);
    await page.waitForTimeout(1500);
    await fits(page, `${name} at 390 px`);
    await page.screenshot({ path: join(SHOTS, `${name}-390.png`), fullPage: true });
  }
  await page.setViewportSize(desktop);

  step('an expired session sends the user back to the login page, saying so');
  await page.goto(`${BASE}/#/`);
  await page.waitForSelector('.card.room');
  await ctx.clearCookies();
  await page.click('#nav a[href="#/history"]');
  await page.waitForSelector('#login-form');
  assert.match(await page.textContent('#login-error'), /session has expired/);

  step('sign out: refused afterwards');
  await login(page, 'admin', ADMIN_PW);
  await page.waitForSelector('#logout');
  await page.click('#logout');
  await page.waitForSelector('#login-form');
  assert.match(await page.textContent('#login-error'), /signed out/);
  await page.goto(`${BASE}/#/rooms/${ROOM}`);
  await page.waitForSelector('#login-form');
  const refused = await page.evaluate(async () => (await fetch('/api/rooms')).status);
  assert.equal(refused, 401);

  step('viewer: sees counts, no camera management');
  await login(page, 'viewer1', VIEWER_PW);
  await page.waitForSelector(`.card.room[data-room="${ROOM}"]`);
  assert.doesNotMatch(await page.textContent('#nav'), /Cameras/);
  await page.goto(`${BASE}/#/cameras`);
  await page.waitForSelector('main .error');
  assert.equal(await page.locator('#add-camera').count(), 0);
  const forbidden = await page.evaluate(async () => (await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"x","name":"x"}' })).status);
  assert.equal(forbidden, 403);
  await page.goto(`${BASE}/#/rooms/${ROOM}`);
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.dataset.lastBoxes) > 0, canvasSel, { timeout: 30000 });

  step('the pages reconnect by themselves when the service restarts');
  await page.goto(`${BASE}/#/`);
  await page.waitForSelector(`.card.room[data-room="${ROOM}"] .live.on`, { timeout: 20000 });
  const lines = createInterface({ input: process.stdin });
  const restarted = new Promise((resolve) => lines.once('line', resolve));
  console.log('web.test: RESTART-NOW');
  await page.waitForSelector(`.card.room[data-room="${ROOM}"] .live.off`, { timeout: 20000 });
  step('  the dashboard shows it lost the service');
  // Forget the last count shown, so only an update from the new process can bring one back.
  await page.$eval(`.card.room[data-room="${ROOM}"]`, (c) => { c.dataset.count = ''; });
  await restarted;
  lines.close();
  await page.waitForSelector(`.card.room[data-room="${ROOM}"] .live.on`, { timeout: 30000 });
  const resumedAt = Date.now();
  await page.waitForFunction(([room, t]) => {
    const card = document.querySelector(`.card.room[data-room="${room}"]`);
    return Number(card?.dataset.count) > 0 && /Last update/.test(card.textContent) && t > 0;
  }, [ROOM, resumedAt], { timeout: 60000 });
  step(`  live again ${((Date.now() - resumedAt) / 1000).toFixed(1)} s after reconnecting, with a count`);

  step('no page asked anything of another host');
  assert.deepEqual(external, [], `external requests: ${external.join(', ')}`);
  step('all passed');
} catch (e) {
  failed = true;
  console.error(`web.test: FAILED: ${e.stack || e}`);
  try {
    const p = ctx.pages().at(-1);
    if (p) await p.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true });
  } catch { /* best effort */ }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
