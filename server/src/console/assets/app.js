// The console's shell: sign-in, the navigation, the account an admin works in, and the
// hash routes (#/page/…) to the pages of iam.js, explorer.js and metrics.js.

import { el, append, field, button } from './dom.js';
import { call, setCsrf, whenUnauthenticated, mgmt } from './api.js';
import * as iam from './iam.js';
import * as explorer from './explorer.js';
import * as metrics from './metrics.js';

const app = document.getElementById('app');

/** What every page gets: who is signed in, the current account, helpers. */
const ctx = {
  who: null,
  account: '',
  accounts: [],
  main: null,
  isAdmin() { return this.who && this.who.kind === 'admin'; },
  go(hash) { if (location.hash === hash) route(); else location.hash = hash; },
  flash(message, kind) {
    const box = document.getElementById('flash');
    if (!box) return;
    box.replaceChildren(el('div', { class: 'flash ' + (kind || 'ok'), role: 'status' }, message));
  },
  fail(e) { ctx.flash((e.code ? e.code + ': ' : '') + e.message, 'error'); },
  async run(action, done) {
    try { await action(); if (done) ctx.flash(done); } catch (e) { ctx.fail(e); }
  },
};

function loginPage(message) {
  setCsrf('');
  const login = el('input', { id: 'login', name: 'login', autocomplete: 'username', required: true });
  const password = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const note = el('p', { id: 'login-error', class: 'error' }, message || '');
  const form = el('form', { id: 'login-form', class: 'login' },
    el('h1', {}, 'extenddb console'),
    el('p', { class: 'muted' }, 'Admins: your admin name. IAM users: account_id/user_name and your console password.'),
    field('User name', login), field('Password', password), note,
    el('button', { type: 'submit', id: 'login-submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    note.textContent = 'Signing in…';
    try {
      const who = await call('POST', 'login', { login: login.value, password: password.value });
      password.value = '';
      await start(who);
    } catch (e) {
      note.textContent = e.status === 429 ? 'Too many failed sign-ins; wait and try again. ' + e.message
        : e.message || 'Sign-in failed';
    }
  });
  app.replaceChildren(form);
  login.focus();
}

async function start(who) {
  ctx.who = who;
  setCsrf(who.csrf);
  if (ctx.isAdmin()) {
    ctx.accounts = await mgmt.all('/accounts').catch(() => []);
    const saved = sessionStorage.getItem('extenddb-account');
    const known = ctx.accounts.map((a) => a.account_id);
    ctx.account = known.includes(saved) ? saved : (known[0] || '');
  } else {
    ctx.accounts = [];
    ctx.account = who.account_id;
  }
  layout();
  route();
}

/** Sets the account an admin works in. */
ctx.setAccount = function setAccount(id) {
  ctx.account = id;
  sessionStorage.setItem('extenddb-account', id);
};

/** Reloads the account list (after one is created or deleted) and the picker. */
ctx.reloadAccounts = async function reloadAccounts() {
  if (!ctx.isAdmin()) return;
  ctx.accounts = await mgmt.all('/accounts');
  if (!ctx.accounts.some((a) => a.account_id === ctx.account)) {
    ctx.setAccount(ctx.accounts.length ? ctx.accounts[0].account_id : '');
  }
  layout();
};

function layout() {
  const links = ctx.isAdmin()
    ? [['Dashboard', '#/'], ['Accounts', '#/accounts'], ['Users', '#/users'], ['Groups', '#/groups'],
      ['Roles', '#/roles'], ['Tables', '#/tables'], ['Metrics', '#/metrics'], ['Settings', '#/settings']]
    : [['My user', '#/'], ['Tables', '#/tables'], ['Metrics', '#/metrics'], ['Settings', '#/settings']];
  const clearFlash = () => { const f = document.getElementById('flash'); if (f) f.replaceChildren(); };
  const nav = el('nav', {}, links.map(([t, h]) => el('a', { href: h, id: 'nav-' + t.toLowerCase().replace(' ', '-'), onclick: clearFlash }, t)));
  let picker = null;
  if (ctx.isAdmin()) {
    const select = el('select', { id: 'account-picker', title: 'The account the pages work in' },
      ctx.accounts.map((a) => el('option', { value: a.account_id, selected: a.account_id === ctx.account },
        a.account_id + ' — ' + a.account_name)));
    select.value = ctx.account;
    select.addEventListener('change', () => { ctx.setAccount(select.value); route(); });
    picker = el('label', { class: 'picker' }, 'Account ', select);
  }
  const who = ctx.who.kind === 'admin' ? 'Signed in as admin ' + ctx.who.name : 'Signed in as ' + ctx.who.arn;
  const logout = button('Logout', async () => {
    try { await call('POST', 'logout'); } catch (_) { /* gone already */ }
    ctx.who = null;
    location.hash = '#/';
    loginPage('Signed out.');
  }, { id: 'logout' });
  ctx.main = el('main', { id: 'main' });
  app.replaceChildren(
    el('header', {}, el('strong', { class: 'brand' }, 'extenddb'), nav, picker,
      el('span', { class: 'who', id: 'who' }, who), logout),
    el('div', { id: 'flash' }),
    ctx.main);
}

let routeSeq = 0;

async function route() {
  if (!ctx.who) return;
  // Only the latest navigation draws: an earlier page that loads slower is dropped.
  const seq = ++routeSeq;
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [page, ...args] = parts;
  const main = ctx.main;
  main.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === '#/' + (page || '')));
  const pages = {
    '': ctx.isAdmin() ? iam.dashboard : iam.me,
    accounts: iam.accounts,
    account: iam.account,
    users: iam.users,
    user: iam.user,
    groups: iam.groups,
    group: iam.group,
    roles: iam.roles,
    role: iam.role,
    settings: iam.settings,
    tables: explorer.tables,
    table: explorer.table,
    metrics: metrics.page,
  };
  const show = pages[page || ''];
  const content = el('div', {});
  try {
    if (!show) throw new Error('No such page');
    await show(ctx, content, ...args);
    if (ctx.main === main && seq === routeSeq) main.replaceChildren(content);
  } catch (e) {
    if (ctx.main === main && seq === routeSeq) main.replaceChildren(el('p', { class: 'error', id: 'page-error' }, (e.code ? e.code + ': ' : '') + e.message));
  }
}

window.addEventListener('hashchange', () => { metrics.stop(); route(); });
whenUnauthenticated(() => { ctx.who = null; metrics.stop(); loginPage('Your session ended; sign in again.'); });

(async () => {
  try {
    const who = await call('GET', 'session');
    await start(who);
  } catch (_) {
    loginPage('');
  }
})();

export { append };
