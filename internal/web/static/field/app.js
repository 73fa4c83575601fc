// Lantian field app: sign in once, patrol with GPS, record offline into an
// IndexedDB outbox, and flush it in order to POST /api/v1/sync.
'use strict';
(() => {
const D = JSON.parse(document.getElementById('dict').textContent);
const t = (k, ...a) => { let s = D[k] || k; for (const v of a) s = s.replace(/%[ds]/, v); return s; };
const $ = (sel, el = document) => el.querySelector(sel);
const app = $('#app'), bar = $('#syncbar');
const uuid = () => crypto.randomUUID ? crypto.randomUUID() : ([1e7]+-1e3+-4e3+-8e3+-1e11).replace(/[018]/g, c =>
  (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16));
const now = () => new Date().toISOString();
const today = () => { const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); };

// --- IndexedDB -----------------------------------------------------------
let dbp;
function db() {
  return dbp || (dbp = new Promise((res, rej) => {
    const r = indexedDB.open('lantian-field', 1);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      d.createObjectStore('kv');
      d.createObjectStore('photos', { keyPath: 'client_id' });
    };
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  }));
}
function tx(store, mode, fn) {
  return db().then(d => new Promise((res, rej) => {
    const x = d.transaction(store, mode);
    const req = fn(x.objectStore(store));
    x.oncomplete = () => res(req && 'result' in req ? req.result : undefined);
    x.onerror = () => rej(x.error);
    x.onabort = () => rej(x.error);
  }));
}
const kvGet = k => tx('kv', 'readonly', s => s.get(k));
const kvSet = (k, v) => tx('kv', 'readwrite', s => s.put(v, k));
const kvDel = k => tx('kv', 'readwrite', s => s.delete(k));
const getAll = store => tx(store, 'readonly', s => s.getAll());
const put = (store, v) => tx(store, 'readwrite', s => s.put(v));
const del = (store, keys) => tx(store, 'readwrite', s => { for (const k of keys) s.delete(k); });

// --- state ---------------------------------------------------------------
let homeFill = null, token = null, cur = null, pos = null, watch = null, lastRec = null;
const stats = { sent: 0, batches: 0, points: 0 };
let lastBatch = null, lastEnded = null;
const acked = []; // every item the server acknowledged in this page's life, for checks

async function saveCur() { if (cur) await kvSet('current', cur); else await kvDel('current'); }

async function enqueue(item) {
  await tx('outbox', 'readwrite', s => s.add({ item, state: 'pending', at: now() }));
  syncBar();
  askBackgroundSync();
  flush();
}

// askBackgroundSync asks the browser, where it can, to wake the app when the network returns.
function askBackgroundSync() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then(r => r.sync && r.sync.register('outbox')).catch(() => {});
}

// --- the API -------------------------------------------------------------
class Offline extends Error {}
async function api(method, path, body, raw) {
  const h = { Accept: 'application/json', 'Accept-Language': document.documentElement.lang };
  if (token) h.Authorization = 'Bearer ' + token;
  let b = body;
  if (body !== undefined && !raw) { h['Content-Type'] = 'application/json'; b = JSON.stringify(body); }
  let r;
  try { r = await fetch(path, { method, headers: h, body: b, cache: 'no-store' }); } catch (e) { throw new Offline(String(e)); }
  let data = null;
  try { data = await r.json(); } catch (e) { /* empty */ }
  if (r.status === 401 && path !== '/api/v1/tokens') { token = null; await kvDel('token'); show(); }
  return { status: r.status, data };
}
const errText = d => {
  if (!d) return '';
  const e = d.error && typeof d.error === 'object' ? d.error : d;
  return [typeof e.error === 'string' ? e.error : '', e.message || '', ...Object.values(e.fields || {})].filter(Boolean).join('；');
};

// --- the sender ----------------------------------------------------------
// flush sends the outbox, then the photos whose records the server has.
// One pass runs at a time; a call during a pass (a record saved meanwhile,
// the timer, "online") makes the pass run again at once, so nothing waits
// for the 20-second timer. The promise resolves when the passes end.
let running = null, again = false;
function flush() {
  if (!token) return Promise.resolve();
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      do { again = false; await flushOnce(); } while (again && token);
    } finally {
      running = null;
    }
  })();
  return running;
}

async function flushOnce() {
  const sentBefore = stats.sent;
  let photosSent = false;
  try {
    if (!(await flushActions())) return;
    for (let round = 0; round < 10; round++) {
      const rows = (await getAll('outbox')).filter(r => r.state === 'pending' && r.item.type !== 'action').slice(0, 400);
      if (!rows.length) break;
      photosSent = false;
      const items = [], groups = [];
      for (const r of rows) {
        const last = items[items.length - 1];
        if (r.item.type === 'track' && last && last.type === 'track' && last.patrol === r.item.patrol && last.points.length < 900) {
          last.points.push(...r.item.points);
          groups[groups.length - 1].push(r);
        } else {
          items.push(r.item.type === 'track' ? { ...r.item, points: [...r.item.points] } : r.item);
          groups.push([r]);
        }
      }
      lastBatch = { items };
      const res = await api('POST', '/api/v1/sync', lastBatch);
      stats.batches++;
      if (res.status !== 200 || !res.data || !res.data.results) {
        if (res.status === 401 || res.status >= 500) break;
        for (const g of groups) for (const r of g) { r.state = 'failed'; r.status = res.status; r.error = errText(res.data); await put('outbox', r); }
        break;
      }
      let retry = false;
      for (const x of res.data.results) {
        const g = groups[x.index];
        if (!g) continue;
        if (x.status === 200 || x.status === 201) {
          const rej = x.result && x.result.rejected;
          if (rej && rej.length) {
            const pts = items[x.index].points;
            await tx('outbox', 'readwrite', s => s.add({ item: { type: 'track', patrol: items[x.index].patrol, points: rej.map(j => pts[j.index]) },
              state: 'failed', status: 422, error: rej.map(j => j.error).join('；'), at: now() }));
          }
          await del('outbox', g.map(r => r.seq));
          stats.sent += g.length;
          acked.push(items[x.index]);
          await recordArrived(items[x.index], x.result);
          if (items[x.index].type === 'case' && x.result && x.result.case) await caseSent(items[x.index], x.result.case);
        } else if (x.status >= 500) {
          retry = true;
        } else {
          for (const r of g) { r.state = 'failed'; r.status = x.status; r.error = errText(x); r.fields = Object.keys(x.fields || {}); await put('outbox', r); }
        }
      }
      // The photos of the records just stored follow them now, before the next batch.
      await flushPhotos();
      photosSent = true;
      if (retry) break;
    }
    if (!photosSent) await flushPhotos();
  } catch (e) {
    if (!(e instanceof Offline)) console.error(e);
  } finally {
    syncBar();
  }
  if (stats.sent > sentBefore && homeFill && $('#grids')) refresh().then(() => homeFill && $('#grids') && homeFill());
}

// flushActions sends the queued actions on cases (handle, verify) one by
// one, in order; it reports false when the network or server failed, so
// the rest waits for the next pass.
async function flushActions() {
  const rows = (await getAll('outbox')).filter(r => r.state === 'pending' && r.item.type === 'action');
  for (const r of rows) {
    const it = r.item;
    const body = { action: it.action, version: it.version, note: it.note || '' };
    if (it.action === 'verify') body.passed = !!it.passed;
    const res = await api('POST', '/api/v1/cases/' + encodeURIComponent(it.number) + '/actions', body);
    if (res.status === 200) {
      await del('outbox', [r.seq]);
      stats.sent++;
      const ph = await tx('photos', 'readonly', s => s.get(it.id));
      if (ph) { ph.ready = true; await put('photos', ph); }
      toast(t('ux.field.action_sent', t('ux.field.do_' + it.action), it.number));
      refreshTasks().then(() => homeFill && $('#tasks') && fillTasks()).catch(() => {});
    } else if (res.status >= 500 || res.status === 401 || res.status === 429 || !res.status) {
      return false;
    } else {
      r.state = 'failed'; r.status = res.status; r.error = errText(res.data); r.fields = Object.keys((res.data && res.data.error && res.data.error.fields) || {});
      await put('outbox', r);
    }
  }
  return true;
}

// caseSent keeps the number the server gave a finding and says it.
async function caseSent(item, number) {
  const list = (await kvGet('sentCases')) || [];
  list.unshift({ number, description: item.description, at: now() });
  await kvSet('sentCases', list.slice(0, 10));
  toast(t('ux.field.case_sent', number));
  const box = $('#sentcases');
  if (box) fillSent(box);
}

async function fillSent(box) {
  const list = (await kvGet('sentCases')) || [];
  box.replaceChildren();
  box.hidden = !list.length;
  if (!list.length) return;
  box.append(h('h2', {}, t('ux.field.sent_title')));
  for (const c of list.slice(0, 5)) box.append(h('p', { class: 'sent', 'data-case': c.number }, h('b', {}, c.number), ' ', c.description || ''));
}

// recordArrived marks the photo of a record the server has stored as ready
// to go: a case's photo learns the case number, a check-in's is released.
async function recordArrived(item, result) {
  const key = item.type === 'case' ? item.client_id : item.type === 'visit' ? item.id : null;
  if (!key) return;
  if (item.type === 'case' && result && result.case) {
    const b = await tx('photos', 'readonly', s => s.get(key + ':before'));
    if (b && !b.number) { b.number = result.case; await put('photos', b); }
  }
  const ph = await tx('photos', 'readonly', s => s.get(key));
  if (!ph) return;
  if (item.type === 'case' && result && result.case && !ph.number) ph.number = result.case;
  else if (item.type === 'visit' && !ph.ready) ph.ready = true;
  else return;
  await put('photos', ph);
}

// photoReady tells whether a photo's record has reached the server. A
// check-in photo stored by an older version of the app has no "ready" flag:
// it goes once its check-in has left the outbox.
function photoReady(ph, waiting) {
  if (!ph.path) return !!ph.number;
  if (ph.ready !== undefined) return ph.ready;
  return !waiting.has(ph.client_id);
}

async function flushPhotos() {
  const photos = (await getAll('photos')).filter(ph => !ph.error);
  if (!photos.length) return;
  const waiting = new Set((await getAll('outbox')).map(r => r.item.id).filter(Boolean));
  for (const ph of photos) {
    // A photo goes once its record is on the server: a check-in's photo sent
    // before its check-in would be refused (404) and kept as failed.
    if (!photoReady(ph, waiting)) continue;
    const fd = new FormData();
    fd.append('photo', ph.blob, 'photo.jpg');
    if (ph.step) fd.append('step', ph.step);
    const r = await api('POST', ph.path || '/api/v1/cases/' + encodeURIComponent(ph.number) + '/photos', fd, true);
    if (r.status === 201 || r.status === 200) await del('photos', [ph.client_id]);
    else if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 429) { ph.error = errText(r.data) || String(r.status); await put('photos', ph); }
  }
}

async function syncBar() {
  const rows = await getAll('outbox');
  const pending = rows.filter(r => r.state === 'pending').length;
  const allPhotos = await getAll('photos');
  const photos = allPhotos.filter(p => !p.error).length;
  const refused = rows.filter(r => r.state === 'failed').length + allPhotos.filter(p => p.error).length;
  let s = pending ? t('fieldapp.waiting', pending) : (refused ? '' : t('fieldapp.all_sent'));
  if (photos) s += (s ? ' · ' : '') + t('fieldapp.photos_waiting', photos);
  if (refused) s += (s ? ' · ' : '') + t('ux.field.refused', refused);
  if (!navigator.onLine) s = t('fieldapp.offline') + ' · ' + s;
  bar.textContent = s;
  bar.dataset.pending = pending;
  bar.dataset.refused = refused;
  bar.classList.toggle('warn', pending > 0 || refused > 0);
  const box = $('#rejected');
  if (box) renderRejected(box, rows.filter(r => r.state === 'failed'), (await getAll('photos')).filter(p => p.error));
}

function renderRejected(box, rows, photos) {
  box.replaceChildren();
  if (!rows.length && !photos.length) { box.hidden = true; return; }
  box.hidden = false;
  box.append(h('h2', {}, t('fieldapp.rejected')));
  for (const r of rows) {
    const what = r.item.type === 'action' ? t('ux.field.do_' + r.item.action) + ' ' + r.item.number : t('fieldapp.type_' + r.item.type);
    const editable = r.item.type === 'case' && cur && r.item.patrol === cur.id || r.item.type === 'action';
    box.append(h('div', { class: 'rej', 'data-type': r.item.type },
      h('p', {}, h('b', {}, what), ' ', plainWhy(r)),
      h('div', { class: 'row wrap' },
        editable ? h('button', { type: 'button', class: 'edit', onclick: () => editRefused(r) }, t('ux.field.edit')) : null,
        h('button', { type: 'button', onclick: async () => { r.state = 'pending'; delete r.error; await put('outbox', r); flush(); } }, t('fieldapp.retry')),
        h('button', { type: 'button', class: 'ghost', onclick: async () => {
          if (!confirm(t('fieldapp.discard_confirm'))) return;
          await del('outbox', [r.seq]);
          // A discarded record's photo would wait for it for ever.
          const key = r.item.type === 'case' ? r.item.client_id : r.item.type === 'visit' ? r.item.id : null;
          if (key) await del('photos', [key, key + ':before']);
          syncBar();
        } }, t('fieldapp.discard')))));
  }
  for (const p of photos) {
    box.append(h('div', { class: 'rej' }, h('p', {}, t('fieldapp.photo') + ' · ' + (p.number || t('fieldapp.type_visit')) + ' · ' + p.error),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: async () => { delete p.error; await put('photos', p); flush(); } }, t('fieldapp.retry')),
        h('button', { type: 'button', class: 'ghost', onclick: async () => { if (confirm(t('fieldapp.discard_confirm'))) { await del('photos', [p.client_id]); syncBar(); } } }, t('fieldapp.discard')))));
  }
}

// plainWhy says in a patroller's words why the server refused a record.
function plainWhy(r) {
  const fields = r.fields || [];
  if (fields.includes('lat') || fields.includes('lon')) return t('ux.field.why_location');
  if (r.status === 409) return t('ux.field.why_changed');
  if (r.status === 404) return t('ux.field.why_gone');
  if (r.status === 403) return t('ux.field.why_forbidden');
  if (r.status === 413) return t('ux.field.why_large');
  return t('ux.field.why_fix') + (r.error ? '：' + r.error : '');
}

// editRefused opens a refused record's form again with what it held; saving
// replaces it in the outbox.
function editRefused(r) {
  if (r.item.type === 'case') return caseScreen(r);
  const task = { number: r.item.number, version: r.item.version, task: r.item.action };
  return actionScreen(task, r);
}

// --- DOM helper ----------------------------------------------------------
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else if (v !== false && v != null) e.setAttribute(k, v);
  }
  for (const k of kids.flat()) if (k != null) e.append(k instanceof Node ? k : String(k));
  return e;
}
const field = (label, input) => h('label', { class: 'field' }, h('span', {}, label), input);

// --- GPS -----------------------------------------------------------------
function dist(a, b) {
  const r = Math.PI / 180, x = (b.lon - a.lon) * r * Math.cos((a.lat + b.lat) / 2 * r), y = (b.lat - a.lat) * r;
  return Math.hypot(x, y) * 6371000;
}
function startGPS() {
  if (watch != null || !navigator.geolocation) return;
  watch = navigator.geolocation.watchPosition(p => {
    pos = { lat: p.coords.latitude, lon: p.coords.longitude, acc: p.coords.accuracy };
    gpsText('');
    const due = !lastRec || Date.now() - lastRec.ms >= 15000 || dist(lastRec, pos) >= 20;
    if (due) recordPoint();
  }, e => gpsText(t('fieldapp.gps_denied')), { enableHighAccuracy: true, maximumAge: 5000 });
}
function stopGPS() { if (watch != null) navigator.geolocation.clearWatch(watch); watch = null; }
setInterval(() => { if (cur && pos && (!lastRec || Date.now() - lastRec.ms >= 15000)) recordPoint(); }, 5000);
async function recordPoint() {
  if (!cur || !pos) return;
  let at = new Date();
  if (lastRec && at.getTime() <= lastRec.ms) at = new Date(lastRec.ms + 1);
  lastRec = { ...pos, ms: at.getTime() };
  const pt = { t: at.toISOString(), lat: pos.lat, lon: pos.lon };
  if (pos.acc != null) pt.acc = Math.round(pos.acc * 10) / 10;
  if (cur.last) cur.dist = (cur.dist || 0) + dist(cur.last, pt);
  cur.last = { lat: pt.lat, lon: pt.lon };
  cur.track = (cur.track || []).concat([[pt.lon, pt.lat]]).slice(-600);
  cur.points = (cur.points || 0) + 1;
  stats.points++;
  await saveCur();
  const pc = $('#points');
  if (pc) pc.textContent = t('fieldapp.points', cur.points);
  patrolStats();
  const tm = $('#trackmap');
  if (tm) drawTrack(tm);
  await enqueue({ type: 'track', patrol: cur.id, points: [pt] });
}
function gpsText(s) { const g = $('#gps'); if (g) g.textContent = s; }
const here = () => pos ? { lat: pos.lat, lon: pos.lon } : {};

// --- screens -------------------------------------------------------------
function screen(...kids) {
  app.replaceChildren();
  app.append(...kids, h('section', { id: 'rejected', class: 'card rejected', hidden: true }));
  syncBar();
  window.scrollTo(0, 0);
}

function signInScreen() {
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { id: 'signin', class: 'card' },
    field(t('fieldapp.username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    field(t('fieldapp.password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    msg, h('button', { type: 'submit', class: 'big' }, t('fieldapp.signin')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      const r = await api('POST', '/api/v1/tokens', { username: f.get('username'), password: f.get('password'), device: true });
      if (r.status !== 201) { msg.textContent = t('fieldapp.signin_failed') + errText(r.data); return; }
      token = r.data.token;
      await kvSet('token', token);
      show();
      listen();
      flush();
    } catch (err) { msg.textContent = t('fieldapp.signin_failed') + t('fieldapp.offline'); }
  });
  screen(form);
}

async function refresh() {
  try {
    const [plans, pats, cats] = await Promise.all([api('GET', '/api/v1/patrol-plans?page_size=100'),
      api('GET', '/api/v1/patrols?mine=1&from=' + today() + '&page_size=100'), api('GET', '/api/v1/categories')]);
    if (plans.status === 200) await kvSet('plans', plans.data.items);
    if (pats.status === 200) await kvSet('patrols', pats.data.items);
    if (cats.status === 200) await kvSet('categories', cats.data.items);
    if (plans.status === 200) {
      for (const p of plans.data.items) {
        if (await kvGet('outline:' + p.grid)) continue;
        const g = await api('GET', '/api/v1/regions/' + encodeURIComponent(p.grid));
        if (g.status === 200 && g.data && g.data.geometry) await kvSet('outline:' + p.grid, g.data.geometry);
      }
    }
    await refreshTasks();
  } catch (e) { /* offline: use what is kept */ }
}

// refreshTasks keeps the cases assigned to me, my grid or my unit (the
// ledger's mine=1), to handle, and those handled that I may verify.
async function refreshTasks() {
  const [todo, check] = await Promise.all([api('GET', '/api/v1/cases?mine=1&status=assigned&sort=deadline&page_size=30'),
    api('GET', '/api/v1/cases?status=handled&sort=deadline&page_size=10')]);
  if (todo.status !== 200 || check.status !== 200) return;
  const tasks = todo.data.items.map(c => ({ ...c, task: 'handle' }));
  for (const c of check.data.items) {
    const d = await api('GET', '/api/v1/cases/' + encodeURIComponent(c.number));
    if (d.status === 200 && (d.data.actions || []).includes('verify')) tasks.push({ ...c, version: d.data.version, task: 'verify' });
  }
  await kvSet('tasks', tasks);
}

async function homeScreen() {
  const list = h('div', { id: 'grids' });
  screen(h('section', { class: 'card assigned', id: 'assigned', hidden: true }),
    h('section', { class: 'card tasks', id: 'tasks', hidden: true }),
    h('section', { class: 'card', id: 'sentcases', hidden: true }),
    h('section', { class: 'card' }, h('h2', {}, t('fieldapp.today')), list),
    h('button', { type: 'button', class: 'ghost', id: 'signout', onclick: async () => { token = null; if (live) live.abort(); await kvDel('token'); show(); } }, t('fieldapp.signout')));
  const fill = async () => {
    const plans = (await kvGet('plans')) || [], pats = (await kvGet('patrols')) || [];
    list.replaceChildren();
    if (!plans.length) list.append(h('p', {}, t('fieldapp.no_grids')));
    for (const p of plans) {
      const done = pats.filter(x => x.grid === p.grid && x.date === today() && x.state !== 'active' && x.ended_at).length;
      list.append(h('div', { class: 'grid', 'data-grid': p.grid },
        h('h3', {}, p.name || p.grid),
        h('p', {}, t('fieldapp.done_today', done, p.per_day)),
        h('button', { type: 'button', class: 'big start', onclick: () => startPatrol(p) }, t('fieldapp.start'))));
    }
  };
  homeFill = fill;
  assignments();
  fillSent($('#sentcases'));
  await fill();
  await fillTasks();
  await refresh();
  if (!cur && app.contains(list)) { await fill(); await fillTasks(); }
}

// fillTasks lists my cases to handle and to verify, each with its button.
async function fillTasks() {
  const box = $('#tasks');
  if (!box) return;
  const tasks = (await kvGet('tasks')) || [];
  const queued = new Set((await getAll('outbox')).filter(r => r.item.type === 'action').map(r => r.item.number));
  box.replaceChildren();
  box.hidden = !tasks.length;
  if (!tasks.length) return;
  box.append(h('h2', {}, t('ux.field.tasks', tasks.length)));
  for (const c of tasks) {
    const due = c.deadline ? new Date(c.deadline).toLocaleString() : '';
    box.append(h('div', { class: 'task' + (c.overdue ? ' overdue' : ''), 'data-case': c.number },
      h('p', {}, h('b', {}, c.number), ' ', h('span', { class: 'muted' }, t('ux.field.task_' + c.task))),
      h('p', {}, c.description || ''),
      c.address ? h('p', { class: 'muted' }, c.address) : null,
      due ? h('p', { class: 'muted' }, t('ux.field.due', due)) : null,
      queued.has(c.number) ? h('p', { class: 'muted' }, t('ux.field.queued')) :
        h('button', { type: 'button', class: 'big task-' + c.task, onclick: () => actionScreen(c) }, t('ux.field.do_' + c.task))));
  }
}

// actionScreen handles (note and after photo) or verifies one of my cases,
// queued offline like every record; refused, it opens again with what it held.
function actionScreen(task, refused) {
  const old = refused ? refused.item : {};
  const msg = h('p', { class: 'error', role: 'alert' });
  const kids = [h('h2', {}, t('ux.field.do_' + task.task) + ' · ' + task.number)];
  if (task.description) kids.push(h('p', { class: 'muted' }, task.description));
  if (task.task === 'verify') {
    kids.push(field(t('ux.field.passed'), h('div', { class: 'seg' },
      h('label', {}, h('input', { type: 'radio', name: 'passed', value: 'yes', checked: old.passed !== false }), h('span', {}, t('ux.field.passed_yes'))),
      h('label', {}, h('input', { type: 'radio', name: 'passed', value: 'no', checked: old.passed === false }), h('span', {}, t('ux.field.passed_no'))))));
    kids.push(field(t('fieldapp.note'), h('textarea', { name: 'note', rows: 2 }, old.note || '')));
  } else {
    kids.push(field(t('fieldapp.handling'), h('textarea', { name: 'note', rows: 3, 'data-need': true }, old.note || '')));
    kids.push(field(t('ux.field.photo_after'), h('input', { name: 'photo', type: 'file', accept: 'image/*', capture: 'environment' })));
  }
  const form = h('form', { id: 'actionform', class: 'card' }, ...kids, msg,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'big' }, t('fieldapp.save')),
      h('button', { type: 'button', class: 'big ghost', onclick: show }, t('fieldapp.cancel'))));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    if (task.task === 'handle' && !String(f.note || '').trim()) { msg.textContent = t('fieldapp.required') + '：' + t('fieldapp.handling'); return; }
    const item = { type: 'action', id: old.id || uuid(), number: task.number, version: task.version, action: task.task, note: String(f.note || '').trim() };
    if (task.task === 'verify') item.passed = f.passed !== 'no';
    if (f.photo && f.photo.size) await put('photos', { client_id: item.id, blob: f.photo, number: task.number, ready: false, step: 'after', path: '/api/v1/cases/' + encodeURIComponent(task.number) + '/photos' });
    if (refused) await del('outbox', [refused.seq]);
    await enqueue(item);
    toast(t('fieldapp.saved'));
    show();
  });
  screen(form);
}

async function startPatrol(plan) {
  cur = { id: uuid(), grid: plan.grid, name: plan.name, started_at: now(), points: 0, visited: {},
    sites: [...(plan.key_sites || []).map(s => ({ key: 'u' + s.unit_id, site: { unit_id: s.unit_id }, name: s.name, lat: s.lat, lon: s.lon })),
      ...(plan.points || []).map(s => ({ key: 'p' + s.point, site: { point: s.point }, name: s.name, lat: s.lat, lon: s.lon }))] };
  lastRec = null;
  await saveCur();
  await enqueue({ type: 'patrol_start', id: cur.id, grid: cur.grid, started_at: cur.started_at });
  patrolScreen();
}

function patrolScreen() {
  startGPS();
  const sites = h('div', { id: 'sites' });
  if (!cur.sites.length) sites.append(h('p', {}, t('fieldapp.no_sites')));
  for (const s of cur.sites) {
    const note = h('input', { name: 'note', placeholder: t('fieldapp.note') });
    const pic = h('input', { name: 'photo', type: 'file', accept: 'image/*', capture: 'environment', 'aria-label': t('fieldapp.photo') });
    const done = cur.visited[s.key];
    const btn = h('button', { type: 'button', class: 'checkin', disabled: !!done }, done ? t('fieldapp.checked_in') : t('fieldapp.checkin'));
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      btn.textContent = t('fieldapp.checked_in');
      cur.visited[s.key] = now();
      await saveCur();
      const id = uuid();
      const f = pic.files && pic.files[0];
      if (f && f.size) await put('photos', { client_id: id, blob: f, number: null, ready: false, path: '/api/v1/patrols/' + cur.id + '/visits/' + id + '/photo' });
      await enqueue({ type: 'visit', patrol: cur.id, id, site: s.site, t: cur.visited[s.key], ...here(), note: note.value.trim() });
    });
    sites.append(h('div', { class: 'site', 'data-site': s.key }, h('strong', {}, s.name), h('div', { class: 'row wrap' }, note, pic, btn)));
  }
  const tm = h('div', { id: 'trackmap', class: 'minimap' });
  screen(
    h('section', { class: 'card' }, h('h2', {}, t('fieldapp.patrolling') + ' · ' + (cur.name || cur.grid)),
      h('p', { class: 'stats' }, h('span', { id: 'elapsed' }), ' · ', h('span', { id: 'distance' })),
      h('p', { id: 'points' }, t('fieldapp.points', cur.points || 0)), h('p', { id: 'gps', class: 'muted' }, pos ? '' : t('fieldapp.gps_waiting')), tm),
    h('section', { class: 'card' }, h('h2', {}, t('fieldapp.sites')), sites),
    h('section', { class: 'actions' },
      h('button', { type: 'button', class: 'big', id: 'finding', onclick: caseScreen }, t('fieldapp.finding')),
      h('button', { type: 'button', class: 'big', id: 'dispute', onclick: () => recordScreen('dispute') }, t('fieldapp.dispute')),
      h('button', { type: 'button', class: 'big', id: 'promotion', onclick: () => recordScreen('promotion') }, t('fieldapp.promotion')),
      h('button', { type: 'button', class: 'big end', id: 'end', onclick: endScreen }, t('fieldapp.end'))));
  patrolStats();
  drawTrack(tm);
}

// patrolStats shows the time since the patrol began and the distance walked.
function patrolStats() {
  const el = $('#elapsed'), d = $('#distance');
  if (!el || !cur) return;
  const secs = Math.max(0, Math.floor((Date.now() - Date.parse(cur.started_at)) / 1000));
  const hh = Math.floor(secs / 3600), mm = Math.floor(secs / 60) % 60, ss = secs % 60;
  el.textContent = t('ux.field.elapsed', (hh ? hh + ':' : '') + String(mm).padStart(2, '0') + ':' + String(ss).padStart(2, '0'));
  const m = cur.dist || 0;
  d.textContent = t('ux.field.distance', m < 1000 ? Math.round(m) + ' m' : (m / 1000).toFixed(2) + ' km');
}
setInterval(patrolStats, 1000);

// --- the small map -------------------------------------------------------
// A grid's outline drawn as SVG with no tiles: its key sites by name, the
// track walked, a chosen point; a tap reports the point tapped.
const SVGNS = 'http://www.w3.org/2000/svg';
function sv(tag, attrs) { const e = document.createElementNS(SVGNS, tag); for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); return e; }
function rings(geom) {
  if (!geom) return [];
  if (geom.type === 'Polygon') return geom.coordinates;
  if (geom.type === 'MultiPolygon') return geom.coordinates.flat();
  return [];
}
function miniMap(geom, opt) {
  const rs = rings(geom);
  const pts = rs.flat().concat(opt.sites.map(s => [s.lon, s.lat]), opt.track || []).filter(p => p && isFinite(p[0]) && isFinite(p[1]));
  if (!pts.length) return null;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  // A fixed 8:5 frame, so that the page does not move when the map arrives.
  const k = Math.cos((y0 + y1) / 2 * Math.PI / 180), W = 320, H = 200, pad = 14;
  const sx = (x1 - x0) * k || 1e-4, sy = (y1 - y0) || 1e-4, sc = Math.min((W - 2 * pad) / sx, (H - 2 * pad) / sy);
  const ox = (W - sx * sc) / 2, oy = (H - sy * sc) / 2;
  const px = lon => ox + (lon - x0) * k * sc, py = lat => H - oy - (lat - y0) * sc;
  const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'gridmap', role: 'img' });
  for (const r of rs) svg.append(sv('polygon', { points: r.map(p => px(p[0]) + ',' + py(p[1])).join(' '), class: 'outline' }));
  if (opt.track && opt.track.length > 1) svg.append(sv('polyline', { points: opt.track.map(p => px(p[0]) + ',' + py(p[1])).join(' '), class: 'track' }));
  for (const s of opt.sites) {
    if (!isFinite(s.lat) || !isFinite(s.lon)) continue;
    svg.append(sv('circle', { cx: px(s.lon), cy: py(s.lat), r: 5, class: 'site' }));
    const tx = sv('text', { x: px(s.lon) + 7, y: py(s.lat) + 4, class: 'label' });
    tx.textContent = s.name;
    svg.append(tx);
  }
  // A scale bar: 100 m.
  const bar = 100 * 180 / Math.PI / 6371000 * k * sc;
  svg.append(sv('line', { x1: pad, y1: H - 4, x2: pad + bar, y2: H - 4, class: 'scale' }));
  const st = sv('text', { x: pad + bar + 4, y: H - 1, class: 'label' });
  st.textContent = '100 m';
  svg.append(st);
  const mark = sv('circle', { r: 8, class: 'mark', cx: -20, cy: -20 });
  svg.append(mark);
  svg.place = (lat, lon) => { mark.setAttribute('cx', px(lon)); mark.setAttribute('cy', py(lat)); };
  if (opt.onpick) {
    svg.addEventListener('click', e => {
      const m = svg.getScreenCTM();
      if (!m) return;
      const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
      const lon = x0 + (p.x - ox) / (k * sc), lat = y0 + (H - oy - p.y) / sc;
      svg.place(lat, lon);
      opt.onpick(Math.round(lat * 1e6) / 1e6, Math.round(lon * 1e6) / 1e6);
    });
  }
  return svg;
}
const outlines = {};
async function drawTrack(box) {
  if (!cur) return;
  const grid = cur.grid;
  const geom = outlines[grid] || (outlines[grid] = await kvGet('outline:' + grid));
  if (!cur) return;
  const m = miniMap(geom, { sites: cur.sites.filter(s => s.lat != null), track: cur.track || [] });
  box.replaceChildren();
  if (m) box.append(m);
}

function formScreen(id, title, fields, onsave, check) {
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { id, class: 'card' }, h('h2', {}, title), ...fields, msg,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'big' }, t('fieldapp.save')),
      h('button', { type: 'button', class: 'big ghost', onclick: patrolScreen }, t('fieldapp.cancel'))));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    for (const el of form.querySelectorAll('[data-need]')) {
      if (!el.closest('[hidden]') && !String(f[el.name] || '').trim()) { msg.textContent = t('fieldapp.required') + '：' + el.closest('label').firstChild.textContent; el.focus(); return; }
    }
    const bad = check ? check(f) : '';
    if (bad) { msg.textContent = bad; return; }
    await onsave(f, form);
    toast(t('fieldapp.saved'));
    patrolScreen();
  });
  screen(form);
}

async function caseScreen(arg) {
  const refused = arg && arg.item ? arg : null; // a refused record to edit (a click event otherwise)
  const old = refused ? refused.item : {};
  const cats = (await kvGet('categories')) || [];
  const sel = h('select', { name: 'category', 'data-need': true }, h('option', { value: '' }, ''),
    cats.map(g => h('optgroup', { label: g.name }, (g.children || []).map(c => h('option', { value: c.code, selected: c.code === old.category }, c.name)))));
  const klass = old.class || 'onspot';
  const cls = h('div', { class: 'seg' }, ['onspot', 'escalated', 'committed'].map(c =>
    h('label', {}, h('input', { type: 'radio', name: 'class', value: c, checked: c === klass }), h('span', {}, t('fieldapp.class_' + c)))));
  const before = field(t('ux.field.photo_before'), h('input', { name: 'photo_before', type: 'file', accept: 'image/*', capture: 'environment' }));
  const photoLabel = h('span', {}, klass === 'onspot' ? t('ux.field.photo_after') : t('fieldapp.photo'));
  const photo = h('label', { class: 'field' }, photoLabel, h('input', { name: 'photo', type: 'file', accept: 'image/*', capture: 'environment' }));
  const onspot = field(t('fieldapp.handling'), h('textarea', { name: 'note', 'data-need': true, rows: 2 }, old.note || ''));
  const committed = h('div', { hidden: klass !== 'committed' }, field(t('fieldapp.commitment'), h('textarea', { name: 'commitment', rows: 2 }, old.commitment || '')),
    field(t('fieldapp.due'), h('input', { name: 'due', type: 'date', value: old.due || '' })));
  onspot.hidden = klass !== 'onspot';
  before.hidden = klass !== 'onspot';
  cls.addEventListener('change', e => {
    onspot.hidden = e.target.value !== 'onspot'; committed.hidden = e.target.value !== 'committed'; before.hidden = e.target.value !== 'onspot';
    photoLabel.textContent = e.target.value === 'onspot' ? t('ux.field.photo_after') : t('fieldapp.photo');
  });
  // Where: the phone's location, or a point set by hand on the grid's map or at a key site.
  const where = { lat: null, lon: null, manual: false };
  if (old.lat != null && old.position === 'manual') Object.assign(where, { lat: old.lat, lon: old.lon, manual: true });
  const whereText = h('p', { id: 'where', class: 'muted' });
  const picker = h('div', { id: 'wherepick', hidden: true });
  const setWhere = (lat, lon, manual, label) => {
    Object.assign(where, { lat, lon, manual });
    whereText.textContent = manual ? t('ux.field.where_manual', label || (lat.toFixed(5) + ', ' + lon.toFixed(5))) : t('ux.field.where_gps');
  };
  const geom = cur ? await kvGet('outline:' + cur.grid) : null;
  const sites = cur ? cur.sites.filter(x => x.lat != null && x.lon != null) : [];
  const map = miniMap(geom, { sites, onpick: (lat, lon) => setWhere(lat, lon, true) });
  const siteSel = h('select', { name: 'site_pick', 'aria-label': t('ux.field.pick_site') }, h('option', { value: '' }, t('ux.field.pick_site')),
    sites.map((x, i) => h('option', { value: String(i) }, x.name)));
  siteSel.addEventListener('change', () => {
    const x = sites[parseInt(siteSel.value, 10)];
    if (!x) return;
    setWhere(x.lat, x.lon, true, x.name);
    if (map) map.place(x.lat, x.lon);
  });
  picker.append(h('p', {}, t('ux.field.where_none')), map || h('p', { class: 'muted' }, t('ux.field.no_map')), sites.length ? siteSel : null);
  const showWhere = () => {
    if (where.manual) { picker.hidden = false; setWhere(where.lat, where.lon, true); if (map) map.place(where.lat, where.lon); return; }
    if (pos) { picker.hidden = true; whereText.textContent = t('ux.field.where_gps'); return; }
    picker.hidden = false;
    whereText.textContent = '';
  };
  showWhere();
  formScreen('caseform', t('fieldapp.finding'), [field(t('fieldapp.class'), cls), field(t('fieldapp.category'), sel),
    field(t('fieldapp.description'), h('textarea', { name: 'description', 'data-need': true, rows: 3 }, old.description || '')), onspot, committed,
    h('div', { class: 'field' }, h('span', {}, t('ux.field.where')), whereText, picker), before, photo],
  async f => {
    const item = { type: 'case', patrol: cur.id, client_id: old.client_id || uuid(), class: f.class, category: f.category, description: f.description.trim() };
    if (where.manual) Object.assign(item, { lat: where.lat, lon: where.lon, position: 'manual' });
    else Object.assign(item, here());
    if (f.class === 'onspot') item.note = f.note.trim();
    if (f.class === 'committed') { if (f.commitment) item.commitment = f.commitment.trim(); if (f.due) item.due = f.due; }
    if (f.photo && f.photo.size) await put('photos', { client_id: item.client_id, blob: f.photo, number: null });
    if (f.class === 'onspot' && f.photo_before && f.photo_before.size) await put('photos', { client_id: item.client_id + ':before', case_of: item.client_id, blob: f.photo_before, number: null, step: 'before' });
    if (refused) await del('outbox', [refused.seq]);
    await enqueue(item);
  }, f => {
    if (!where.manual && !pos) { picker.hidden = false; return t('ux.field.where_needed'); }
    if (f.class === 'committed' && f.due && f.due < today()) return t('ux.field.due_past');
    return '';
  });
}

function recordScreen(kind) {
  const fs = kind === 'dispute'
    ? [field(t('fieldapp.parties'), h('input', { name: 'parties', 'data-need': true })), field(t('fieldapp.summary'), h('textarea', { name: 'summary', 'data-need': true, rows: 3 })),
      field(t('fieldapp.outcome'), h('textarea', { name: 'outcome', 'data-need': true, rows: 2 }))]
    : [field(t('fieldapp.households'), h('input', { name: 'households', type: 'number', min: 1, inputmode: 'numeric', 'data-need': true }))];
  fs.push(field(t('fieldapp.note'), h('textarea', { name: 'note', rows: 2 })));
  formScreen(kind + 'form', t('fieldapp.' + kind), fs, async f => {
    const item = { type: 'record', patrol: cur.id, id: uuid(), kind, t: now(), note: (f.note || '').trim() };
    if (kind === 'dispute') Object.assign(item, { parties: f.parties.trim(), summary: f.summary.trim(), outcome: f.outcome.trim() });
    else item.households = parseInt(f.households, 10) || 0;
    await enqueue(item);
  });
}

function endScreen() {
  formScreen('endform', t('fieldapp.end'), [field(t('fieldapp.end_summary'), h('textarea', { name: 'summary', rows: 3 }))], async f => {
    if (pos) await recordPoint();
    await enqueue({ type: 'end', patrol: cur.id, ended_at: now(), summary: (f.summary || '').trim() });
    stopGPS();
    lastEnded = { id: cur.id, points: cur.points };
    cur = null;
    lastRec = null;
    await saveCur();
  });
}

// --- live assignments ----------------------------------------------------
// While signed in and online the app keeps the live stream open (GET
// /api/v1/events, read through fetch so that it carries the token) and, when
// the inbox count rises, lists the cases newly assigned to the patroller on
// the home screen, with a short note.
let live = null, unread = -1;
const seenAssigned = new Set();
async function assignments(tell) {
  let r;
  try { r = await api('GET', '/api/v1/inbox?unread=1&page_size=10'); } catch (e) { return; }
  if (r.status !== 200 || !r.data) return;
  const items = (r.data.items || []).filter(i => i.kind === 'assigned' || i.kind === 'rework');
  const fresh = items.filter(i => !seenAssigned.has(i.id));
  for (const i of items) seenAssigned.add(i.id);
  if (tell && fresh.length) toast(t('fieldapp.new_assignment', fresh[0].case));
  const box = $('#assigned');
  if (!box) return;
  box.innerHTML = '';
  box.hidden = !items.length;
  if (!items.length) return;
  box.append(h('h2', {}, t('fieldapp.assigned')));
  for (const i of items) box.append(h('p', { class: 'assignment', 'data-case': i.case }, i.case + ' · ' + new Date(i.created_at).toLocaleString()));
}
async function listen() {
  if (live || !token || !navigator.onLine || !window.ReadableStream || !window.TextDecoder) return;
  live = new AbortController();
  try {
    const r = await fetch('/api/v1/events', { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' }, signal: live.signal, cache: 'no-store' });
    if (!r.ok || !r.body) throw new Error(String(r.status));
    const rd = r.body.getReader(), dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await rd.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let ev = '', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (ev !== 'inbox') continue;
        let n = -1;
        try { n = JSON.parse(data).unread; } catch (e) { /* ignore */ }
        if (unread >= 0 && n > unread) assignments(true);
        unread = n;
      }
    }
  } catch (e) { /* offline, signed out or the server restarted: listen again shortly */ }
  live = null;
  setTimeout(listen, 5000);
}

function toast(s) {
  const e = h('div', { class: 'toast', role: 'status' }, s);
  document.body.append(e);
  setTimeout(() => e.remove(), 2500);
}

async function show() {
  if (!token) return signInScreen();
  if (cur) return patrolScreen();
  return homeScreen();
}

// formScreen's save goes back to the patrol, or home once it has ended.
const _patrolScreen = patrolScreen;
patrolScreen = function () { return cur ? _patrolScreen() : homeScreen(); };

bar.addEventListener('click', () => flush());
window.addEventListener('online', () => { syncBar(); flush(); listen(); });
window.addEventListener('offline', syncBar);
setInterval(flush, 20000);
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
  navigator.serviceWorker.addEventListener('message', e => { if (e.data === 'flush') flush(); });
}

(async () => {
  token = (await kvGet('token')) || null;
  cur = (await kvGet('current')) || null;
  await show();
  flush();
  listen();
})();

window.fieldApp = { flush, stats, enqueue, sent: async () => (await kvGet('sentCases')) || [], tasks: async () => (await kvGet('tasks')) || [], get busy() { return !!running; }, resend: async () => (await api('POST', '/api/v1/sync', { items: acked })).data, get lastBatch() { return lastBatch; }, get current() { return cur; }, get lastEnded() { return lastEnded; }, recordPoint,
  photos: async () => (await getAll('photos')).map(p => ({ kind: p.path ? 'visit' : 'case', number: p.number, ready: p.path ? !!p.ready : !!p.number, error: p.error || '' })),
  pending: async () => (await getAll('outbox')).filter(r => r.state === 'pending').length,
  queued: async () => (await getAll('outbox')).filter(r => r.state === 'pending').map(r => r.item.type),
  failed: async () => (await getAll('outbox')).filter(r => r.state === 'failed') };
})();
