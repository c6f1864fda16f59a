// razz web app: the shell. Hash routes (#/, #/rooms/ID, #/cameras, #/history, #/login),
// the signed-in user, the navigation (viewers see no camera management), and sign-in/out.
// Each view is a module exporting `mount(main, ctx)` that returns a cleanup function.

import { api, ApiError, h, setOnExpired } from './api.js';
import * as dashboard from './dashboard.js';
import * as room from './room.js';
import * as cameras from './cameras.js';
import * as history from './history.js';

const main = document.getElementById('view');
const top = document.getElementById('top');
let me = null;
let cleanup = () => {};
let loginNotice = '';
let routeGen = 0;

setOnExpired(() => {
  if (me) {
    me = null;
    loginNotice = 'Your session has expired. Please sign in again.';
    if (location.hash === '#/login') route();
    else location.hash = '#/login';
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/logout'); } catch { /* already gone */ }
  me = null;
  loginNotice = 'You are signed out.';
  location.hash = '#/login';
});

function nav() {
  const links = [['#/', 'Dashboard'], ['#/history', 'History']];
  if (me.role === 'admin') links.push(['#/cameras', 'Cameras']);
  const here = location.hash || '#/';
  document.getElementById('nav').replaceChildren(
    ...links.map(([href, label]) => h('a', {
      href,
      class: (here === href || (href === '#/' && here.startsWith('#/rooms/'))) ? 'active' : '',
    }, label)),
  );
  document.getElementById('who').textContent = `${me.username} (${me.role})`;
  top.hidden = false;
}

function loginView() {
  top.hidden = true;
  const err = h('p', { class: 'error', role: 'alert', id: 'login-error' }, loginNotice);
  err.hidden = !loginNotice;
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'login card', id: 'login-form' },
    h('h1', {}, 'razz'),
    h('p', { class: 'muted' }, 'People counts per room'),
    err,
    h('label', {}, 'User name', user),
    h('label', {}, 'Password', pass),
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    try {
      const r = await api('POST', '/api/login', { username: user.value, password: pass.value });
      me = r.user;
      loginNotice = '';
      location.hash = '#/';
    } catch (e) {
      err.hidden = false;
      err.className = 'error';
      err.textContent = e instanceof ApiError && e.status === 401
        ? 'Wrong user name or password.'
        : e instanceof ApiError && e.status === 429
          ? 'Too many failed attempts. Wait a minute and try again.'
          : e.message;
      pass.value = '';
      pass.focus();
    } finally {
      button.disabled = false;
    }
  });
  main.replaceChildren(form);
  if (loginNotice) err.className = 'notice';
  return () => {};
}

async function route() {
  const gen = ++routeGen;
  cleanup();
  cleanup = () => {};
  const hash = location.hash || '#/';
  if (!me && hash !== '#/login') {
    try {
      me = await api('GET', '/api/me');
    } catch {
      me = null;
    }
    if (gen !== routeGen) return;
  }
  if (!me) {
    if (location.hash !== '#/login') {
      location.hash = '#/login'; // hashchange renders it
      return;
    }
    cleanup = loginView();
    return;
  }
  if (hash === '#/login') {
    location.hash = '#/';
    return;
  }
  nav();
  const ctx = { me };
  const m = hash.match(/^#\/rooms\/([A-Za-z0-9_-]+)$/);
  let view;
  if (m) view = () => room.mount(main, ctx, m[1]);
  else if (hash === '#/history') view = () => history.mount(main, ctx);
  else if (hash === '#/cameras' && me.role === 'admin') view = () => cameras.mount(main, ctx);
  else if (hash === '#/cameras') {
    main.replaceChildren(h('p', { class: 'error' }, 'Camera management needs an admin account.'));
    return;
  } else view = () => dashboard.mount(main, ctx);
  main.replaceChildren();
  const done = await view() || (() => {});
  if (gen !== routeGen) done(); // another route started meanwhile
  else cleanup = done;
}

window.addEventListener('hashchange', route);
route();
