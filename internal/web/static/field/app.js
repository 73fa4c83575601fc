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
const errText = d => d ? [d.error || d.message || '', ...Object.values(d.fields || {})].filter(Boolean).join('；') : '';

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
    for (let round = 0; round < 10; round++) {
      const rows = (await getAll('outbox')).filter(r => r.state === 'pending').slice(0, 400);
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
        } else if (x.status >= 500) {
          retry = true;
        } else {
          for (const r of g) { r.state = 'failed'; r.status = x.status; r.error = errText(x); await put('outbox', r); }
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

// recordArrived marks the photo of a record the server has stored as ready
// to go: a case's photo learns the case number, a check-in's is released.
async function recordArrived(item, result) {
  const key = item.type === 'case' ? item.client_id : item.type === 'visit' ? item.id : null;
  if (!key) return;
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
    const r = await api('POST', ph.path || '/api/v1/cases/' + encodeURIComponent(ph.number) + '/photos', fd, true);
    if (r.status === 201 || r.status === 200) await del('photos', [ph.client_id]);
    else if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 429) { ph.error = errText(r.data) || String(r.status); await put('photos', ph); }
  }
}

async function syncBar() {
  const rows = await getAll('outbox');
  const pending = rows.filter(r => r.state === 'pending').length;
  const photos = (await getAll('photos')).filter(p => !p.error).length;
  let s = pending ? t('fieldapp.waiting', pending) : t('fieldapp.all_sent');
  if (photos) s += ' · ' + t('fieldapp.photos_waiting', photos);
  if (!navigator.onLine) s = t('fieldapp.offline') + ' · ' + s;
  bar.textContent = s;
  bar.dataset.pending = pending;
  bar.classList.toggle('warn', pending > 0);
  const box = $('#rejected');
  if (box) renderRejected(box, rows.filter(r => r.state === 'failed'), (await getAll('photos')).filter(p => p.error));
}

function renderRejected(box, rows, photos) {
  box.replaceChildren();
  if (!rows.length && !photos.length) { box.hidden = true; return; }
  box.hidden = false;
  box.append(h('h2', {}, t('fieldapp.rejected')));
  for (const r of rows) {
    box.append(h('div', { class: 'rej' },
      h('p', {}, (t('fieldapp.type_' + r.item.type)) + ' · ' + r.status + ' · ' + (r.error || '')),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: async () => { r.state = 'pending'; delete r.error; await put('outbox', r); flush(); } }, t('fieldapp.retry')),
        h('button', { type: 'button', class: 'ghost', onclick: async () => {
          if (!confirm(t('fieldapp.discard_confirm'))) return;
          await del('outbox', [r.seq]);
          // A discarded record's photo would wait for it for ever.
          const key = r.item.type === 'case' ? r.item.client_id : r.item.type === 'visit' ? r.item.id : null;
          if (key) await del('photos', [key]);
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
  cur.points = (cur.points || 0) + 1;
  stats.points++;
  await saveCur();
  const pc = $('#points');
  if (pc) pc.textContent = t('fieldapp.points', cur.points);
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
  } catch (e) { /* offline: use what is kept */ }
}

async function homeScreen() {
  const list = h('div', { id: 'grids' });
  screen(h('section', { class: 'card assigned', id: 'assigned', hidden: true }), h('section', { class: 'card' }, h('h2', {}, t('fieldapp.today')), list),
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
  await fill();
  await refresh();
  if (!cur && app.contains(list)) await fill();
}

async function startPatrol(plan) {
  cur = { id: uuid(), grid: plan.grid, name: plan.name, started_at: now(), points: 0, visited: {},
    sites: [...(plan.key_sites || []).map(s => ({ key: 'u' + s.unit_id, site: { unit_id: s.unit_id }, name: s.name })),
      ...(plan.points || []).map(s => ({ key: 'p' + s.point, site: { point: s.point }, name: s.name }))] };
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
    sites.append(h('div', { class: 'site', 'data-site': s.key }, h('strong', {}, s.name), h('div', { class: 'row' }, note, pic, btn)));
  }
  screen(
    h('section', { class: 'card' }, h('h2', {}, t('fieldapp.patrolling') + ' · ' + (cur.name || cur.grid)),
      h('p', { id: 'points' }, t('fieldapp.points', cur.points || 0)), h('p', { id: 'gps', class: 'muted' }, pos ? '' : t('fieldapp.gps_waiting'))),
    h('section', { class: 'card' }, h('h2', {}, t('fieldapp.sites')), sites),
    h('section', { class: 'actions' },
      h('button', { type: 'button', class: 'big', id: 'finding', onclick: caseScreen }, t('fieldapp.finding')),
      h('button', { type: 'button', class: 'big', id: 'dispute', onclick: () => recordScreen('dispute') }, t('fieldapp.dispute')),
      h('button', { type: 'button', class: 'big', id: 'promotion', onclick: () => recordScreen('promotion') }, t('fieldapp.promotion')),
      h('button', { type: 'button', class: 'big end', id: 'end', onclick: endScreen }, t('fieldapp.end'))));
}

function formScreen(id, title, fields, onsave) {
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
    await onsave(f, form);
    toast(t('fieldapp.saved'));
    patrolScreen();
  });
  screen(form);
}

async function caseScreen() {
  const cats = (await kvGet('categories')) || [];
  const sel = h('select', { name: 'category', 'data-need': true }, h('option', { value: '' }, ''),
    cats.map(g => h('optgroup', { label: g.name }, (g.children || []).map(c => h('option', { value: c.code }, c.name)))));
  const cls = h('div', { class: 'seg' }, ['onspot', 'escalated', 'committed'].map((c, i) =>
    h('label', {}, h('input', { type: 'radio', name: 'class', value: c, checked: i === 0 }), h('span', {}, t('fieldapp.class_' + c)))));
  const onspot = field(t('fieldapp.handling'), h('textarea', { name: 'note', 'data-need': true, rows: 2 }));
  const committed = h('div', { hidden: true }, field(t('fieldapp.commitment'), h('textarea', { name: 'commitment', rows: 2 })),
    field(t('fieldapp.due'), h('input', { name: 'due', type: 'date' })));
  cls.addEventListener('change', e => { onspot.hidden = e.target.value !== 'onspot'; committed.hidden = e.target.value !== 'committed'; });
  formScreen('caseform', t('fieldapp.finding'), [field(t('fieldapp.class'), cls), field(t('fieldapp.category'), sel),
    field(t('fieldapp.description'), h('textarea', { name: 'description', 'data-need': true, rows: 3 })), onspot, committed,
    field(t('fieldapp.photo'), h('input', { name: 'photo', type: 'file', accept: 'image/*', capture: 'environment' }))],
  async f => {
    const item = { type: 'case', patrol: cur.id, client_id: uuid(), class: f.class, category: f.category, description: f.description.trim(), ...here() };
    if (f.class === 'onspot') item.note = f.note.trim();
    if (f.class === 'committed') { if (f.commitment) item.commitment = f.commitment.trim(); if (f.due) item.due = f.due; }
    if (f.photo && f.photo.size) await put('photos', { client_id: item.client_id, blob: f.photo, number: null });
    await enqueue(item);
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

window.fieldApp = { flush, stats, enqueue, get busy() { return !!running; }, resend: async () => (await api('POST', '/api/v1/sync', { items: acked })).data, get lastBatch() { return lastBatch; }, get current() { return cur; }, get lastEnded() { return lastEnded; }, recordPoint,
  photos: async () => (await getAll('photos')).map(p => ({ kind: p.path ? 'visit' : 'case', number: p.number, ready: p.path ? !!p.ready : !!p.number, error: p.error || '' })),
  pending: async () => (await getAll('outbox')).filter(r => r.state === 'pending').length,
  queued: async () => (await getAll('outbox')).filter(r => r.state === 'pending').map(r => r.item.type),
  failed: async () => (await getAll('outbox')).filter(r => r.state === 'failed') };
})();
