'use strict';
// lbctl's web UI: plain DOM, one request at a time, the status polled every 2 s.
// Every change carries the X-Lbctl-UI header, without which the node refuses a browser session's
// changes (another site's page cannot send it).

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const POLL_MS = 2000;
let pollTimer = null;
let currentTab = null;
let events = null; // the node's event stream: a change redraws the open tab at once
let redrawing = false;
let lastStatus = null;
let editBase = null; // {config, etag}: what the edit form was opened on

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body, headers = {}) {
  const h = { 'X-Lbctl-UI': '1', ...headers };
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin' });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  if (res.status === 401 && path !== '/v1/login') {
    showLogin((data && data.error) || 'Please log in.');
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, etag: res.headers.get('ETag') };
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function banner(text, ok = false) {
  const b = $('#banner');
  b.textContent = text;
  b.className = ok ? 'ok' : '';
  b.hidden = !text;
}

// ---- login -------------------------------------------------------------------------------

function showLogin(message) {
  stopPolling();
  $$('.tab').forEach(s => { s.hidden = true; });
  $('#tabs').hidden = true;
  $('#logout').hidden = true;
  $('#who').textContent = '';
  delete document.body.dataset.role;
  if (events) { events.close(); events = null; }
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
}

async function login(ev) {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const { data } = await api('POST', '/v1/login',
      { name: $('#login-name').value, password: $('#login-password').value });
    $('#login-password').value = '';
    await enter();
  } catch (e) {
    $('#login-error').textContent = e.message;
  }
}

async function logout() {
  try { await api('POST', '/v1/logout'); } catch (e) { /* logged out either way */ }
  showLogin('Logged out.');
}

async function enter() {
  const { data: me } = await api('GET', '/v1/whoami');
  document.body.dataset.role = me.role;
  $('#who').textContent = me.user + ' (' + me.role + ')';
  listen();
  $('#login').hidden = true;
  $('#tabs').hidden = false;
  $('#logout').hidden = false;
  show(location.hash.slice(1) || 'overview');
}

// ---- graphs ------------------------------------------------------------------------------

let plots = [];
const COLOURS = ['#1e62c8', '#2e8b3a', '#c62828', '#e0a800', '#6a3fb5', '#00838f'];

function chart(title, times, series, box, width) {
  // Always the whole hour, ending now, from zero up: a glance compares like with like.
  const end = times.length ? times[times.length - 1] : Math.floor(Date.now() / 1000);
  const opts = {
    title, width, height: 130,
    scales: { x: { time: true, range: () => [end - 3600, end] }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { size: 60 }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], spanGaps: false }))],
  };
  plots.push(new uPlot(opts, [times, ...series.map(s => s.values)], box));
}

async function renderGraphs() {
  const { data } = await api('GET', '/v1/history');
  plots.forEach(p => p.destroy());
  plots = [];
  const list = $('#graph-list');
  const subjects = Object.keys(data.series);
  const boxes = subjects.filter(k => !k.includes('/')).map(vip => {
    const s = data.series[vip];
    const servers = subjects.filter(k => k.startsWith(vip + '/'));
    const box = el('div', { class: 'graph', 'data-graph': vip }, el('h3', {}, vip));
    return { box, vip, s, servers };
  });
  list.replaceChildren(...boxes.map(b => b.box));
  for (const { box, s, servers } of boxes) {
    const width = Math.max(300, box.clientWidth - 12);
    chart('connections', data.times, [
      { label: 'open', values: s.connections },
      { label: 'new/s', values: s.newPerSecond }], box, width);
    chart('bytes/s', data.times, [{ label: 'in+out', values: s.bytesPerSecond }], box, width);
    // Which real server holds the connections: an uneven spread shows here first.
    chart('open connections per real server', data.times,
      servers.map(k => ({ label: k.split('/')[1], values: data.series[k].connections })), box, width);
    chart('healthy (1) or not (0)', data.times,
      servers.map(k => ({ label: k.split('/')[1], values: data.series[k].healthy })), box, width);
  }
}

// ---- tabs and polling --------------------------------------------------------------------

function show(tab) {
  if (!$('#' + tab) || !$('#' + tab).classList.contains('tab')) tab = 'overview';
  // A tab the caller's role is not offered.
  const link = $('#tabs a[data-tab="' + tab + '"]');
  if (link && getComputedStyle(link).display === 'none') tab = 'overview';
  currentTab = tab;
  $$('.tab').forEach(s => { s.hidden = s.id !== tab; });
  $$('#tabs a').forEach(a => a.classList.toggle('active', a.dataset.tab === tab));
  stopPolling();
  refresh(tab);
  if (['overview', 'graphs', 'sticks', 'ha'].includes(tab)) {
    pollTimer = setInterval(() => refresh(tab), POLL_MS);
  }
}

// Status changes arrive as server-sent events; polling stays as the fallback.
function listen() {
  if (events) events.close();
  events = new EventSource('/v1/events');
  for (const type of ['health', 'admin', 'service', 'pair', 'group', 'config']) {
    events.addEventListener(type, () => {
      // How many changes the page heard, for those watching it.
      document.body.dataset.events = Number(document.body.dataset.events || 0) + 1;
      redraw();
    });
  }
}

async function redraw() {
  if (redrawing || !['overview', 'sticks', 'ha'].includes(currentTab)) return;
  redrawing = true;
  try { await refresh(currentTab); } finally { redrawing = false; }
}

function stopPolling() {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}

async function refresh(tab) {
  try {
    if (tab === 'overview') renderOverview(await status());
    else if (tab === 'sticks') await renderSticks(await status());
    else if (tab === 'ha') renderHa(await status());
    else if (tab === 'edit') await openEditor();
    else if (tab === 'config') await renderConfig();
    else if (tab === 'audit') await renderAudit();
    else if (tab === 'graphs') await renderGraphs();
  } catch (e) {
    if (e.status !== 401) banner('Cannot reach the node: ' + e.message);
  }
}

async function status() {
  const { data } = await api('GET', '/v1/status');
  lastStatus = data;
  $('#node-name').textContent = data.node + (data.pair ? ' (' + data.pair.role + ', ' + data.pair.state + ')' : '');
  $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  if ($('#banner').textContent.startsWith('Cannot reach')) banner('');
  return data;
}

// ---- System Overview ---------------------------------------------------------------------

// Long words (weighted-least-connection) may break after their hyphens: the table fits 1280 px.
function breakable(text) {
  const parts = String(text).split('-');
  return parts.flatMap((part, i) => i < parts.length - 1 ? [part + '-', el('wbr')] : [part]);
}

function ripColour(r) {
  if (r.adminState !== 'online') return 'blue';
  return r.health === 'up' ? 'green' : 'red';
}

function vipColour(v) {
  const online = v.realServers.filter(r => r.adminState === 'online');
  if (v.realServers.length > 0 && online.length === 0) return 'blue';
  const up = online.filter(r => r.health === 'up').length;
  if (online.length > 0 && up === online.length) return 'green';
  return up === 0 ? 'red' : 'yellow';
}

// The protocol, and for the clinical modes what became of their associations or messages.
function protocolText(v) {
  if (v.layer === 4) return 'tcp';
  const n = (m, k) => (m && m[k]) || 0;
  if (v.protocol === 'dicom') {
    const a = v.dicomAssociations;
    const rejected = n(a, 'rejected_called_ae') + n(a, 'rejected_calling_ae') +
      n(a, 'rejected_by_server') + n(a, 'rejected_no_server');
    return 'dicom: ' + n(a, 'accepted') + ' accepted, ' + rejected + ' rejected, ' +
      (n(a, 'malformed_pdu') + n(a, 'aborted_by_server')) + ' aborted';
  }
  if (v.protocol === 'hl7-mllp') {
    const h = v.hl7Messages;
    return 'hl7-mllp: ' + (n(h, 'AA') + n(h, 'CA')) + ' AA, ' +
      (n(h, 'AE') + n(h, 'AR') + n(h, 'CE') + n(h, 'CR')) + ' AE/AR, ' + n(h, 'resent') + ' resent';
  }
  return v.protocol;
}

function method(v) {
  return v.layer === 4 ? 'layer 4 ' + v.mode.toUpperCase() : 'layer 7 proxy';
}

function renderOverview(s) {
  const body = $('#overview-table tbody');
  const rows = [];
  for (const v of s.virtualServices) {
    const c = vipColour(v);
    rows.push(el('tr', { class: 'vip ' + c, 'data-vip': v.label, 'data-colour': c },
      el('td', {}, el('span', { class: 'dot' })),
      el('td', {}, v.label),
      el('td', {}, v.address),
      el('td', {}, v.ports.join(', ')),
      el('td', {}, v.activeConnections),
      el('td', {}, v.totalConnections),
      el('td', { class: 'protocol wrap' }, breakable(protocolText(v))),
      el('td', { class: 'wrap' }, breakable(v.scheduler + (v.persistence !== 'none' ? ', ' + v.persistence : ''))),
      el('td', { class: 'wrap' }, method(v)),
      el('td', { class: 'wrap' }, v.state === 'fallback' ? 'fallback serving' : v.state),
      el('td', {}, ''),
      el('td', {}, ''),
      el('td', {}, '')));
    for (const r of v.realServers) {
      const rc = ripColour(r);
      const key = v.label + '/' + r.label;
      rows.push(el('tr', { class: 'rip ' + rc, 'data-rip': key, 'data-colour': rc },
        el('td', {}, el('span', { class: 'dot' })),
        el('td', {}, r.label),
        el('td', {}, r.address),
        el('td', {}, r.port),
        el('td', {}, r.activeConnections),
        el('td', {}, r.totalConnections),
        el('td', {}, ''),
        el('td', {}, ''),
        el('td', {}, ''),
        el('td', {}, r.adminState + ', ' + r.health),
        el('td', {}, r.weight),
        el('td', { title: r.lastCheck || '' }, r.lastCheckMillis == null ? '' : r.lastCheckMillis.toFixed(1) + ' ms'),
        el('td', {}, ['online', 'drain', 'halt'].map(state =>
          el('button', {
            class: 'needs-operator',
            'data-action': state,
            disabled: r.adminState === state,
            onclick: () => setAdminState(v.label, r.label, state),
          }, state === 'online' ? 'Online' : state === 'drain' ? 'Drain' : 'Halt')))));
    }
  }
  body.replaceChildren(...rows);
}

async function setAdminState(vip, rip, state) {
  if (state === 'halt' && !confirm('Halt ' + rip + ' of ' + vip + '? It takes no new clients until set online.')) return;
  try {
    await api('PUT', '/v1/virtual-services/' + encodeURIComponent(vip) + '/real-servers/' +
      encodeURIComponent(rip) + '/admin-state', { state });
    banner(vip + '/' + rip + ' is now ' + state, true);
    renderOverview(await status());
  } catch (e) {
    banner(vip + '/' + rip + ': ' + e.message);
  }
}

// ---- stick tables ------------------------------------------------------------------------

async function renderSticks(s) {
  const blocks = [];
  for (const v of s.virtualServices.filter(x => x.persistence !== 'none')) {
    let table;
    try {
      table = (await api('GET', '/v1/virtual-services/' + encodeURIComponent(v.label) + '/stick-table')).data;
    } catch (e) {
      blocks.push(el('p', { class: 'error' }, v.label + ': ' + e.message));
      continue;
    }
    blocks.push(el('div', { class: 'stick', 'data-stick': v.label },
      el('h3', {}, v.label + ' — ' + table.persistence + ', timeout ' + table.timeout + ' — ',
        el('span', { class: 'count' }, table.entries.length), ' entries ',
        el('button', { class: 'needs-operator', 'data-clear': v.label, onclick: () => clearSticks(v.label) }, 'Clear table')),
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', {}, 'Client'), el('th', {}, 'Real server'), el('th', {}, 'Expires'))),
        el('tbody', {}, table.entries.map(e =>
          el('tr', {}, el('td', {}, e.key), el('td', {}, e.server), el('td', {}, e.expiresAt)))))));
  }
  if (blocks.length === 0) blocks.push(el('p', {}, 'No virtual service keeps persistence.'));
  $('#stick-list').replaceChildren(...blocks);
}

async function clearSticks(vip) {
  if (!confirm('Clear the stick table of ' + vip + '? Its clients are balanced afresh.')) return;
  try {
    const { data } = await api('DELETE', '/v1/virtual-services/' + encodeURIComponent(vip) + '/stick-table');
    banner(vip + ': ' + data.cleared + ' entries cleared', true);
    await renderSticks(await status());
  } catch (e) {
    banner(vip + ': ' + e.message);
  }
}

// ---- high availability -------------------------------------------------------------------

function renderHa(s) {
  const p = s.pair;
  if (!p) {
    $('#ha-panel').replaceChildren(el('p', {}, 'This node runs alone (no pair).'));
    $('#failover').hidden = true;
    return;
  }
  const peer = p.peer;
  const row = (name, role, state, version, hash, ips, heartbeat) => el('tr', { 'data-node': name },
    el('td', {}, name), el('td', {}, role),
    el('td', { class: state === 'active' ? 'active-node' : '' }, state),
    el('td', {}, version < 0 ? '?' : 'v' + version), el('td', {}, (hash || '').slice(0, 12)),
    el('td', {}, (ips || []).join(', ') || 'none'), el('td', {}, heartbeat));
  const heartbeat = peer.heartbeatAgeMillis < 0 ? 'never heard' : peer.heartbeatAgeMillis + ' ms ago';
  $('#ha-panel').replaceChildren(
    el('table', {},
      el('thead', {}, el('tr', {}, ['Node', 'Role', 'State', 'Configuration', 'Hash', 'Floating IPs', 'Heartbeat'].map(h => el('th', {}, h)))),
      el('tbody', {},
        row(s.node + ' (this node)', p.role, p.state, p.configVersion, p.configHash, p.floatingIpsOwned, ''),
        row(peer.address, peer.role || '?', peer.present ? peer.state : 'absent', peer.configVersion, peer.configHash, peer.floatingIpsOwned, heartbeat))),
    el('p', { id: 'drift', class: p.configDrift ? 'error' : '' },
      p.configDrift ? 'Configuration drift: the nodes run different configurations.' : 'Both nodes run the same configuration.'),
    el('p', { id: 'ha-since' }, 'This node is ' + p.state + ' since ' + new Date(p.since).toLocaleString()
      + ': ' + p.reason + ' (term ' + p.term + ').'),
    el('p', {}, 'Configuration sync: ' + p.configSync + '; edits: ' + p.edits));
  $('#failover').hidden = !(p.state === 'active' && peer.present);
}

async function failover() {
  if (!confirm('Hand the active role and the floating IPs to the peer?')) return;
  try {
    await api('POST', '/v1/pair/failover');
    banner('Failover done: the peer is active.', true);
    renderHa(await status());
  } catch (e) {
    banner('Failover refused: ' + e.message);
  }
}

// ---- editing virtual services ------------------------------------------------------------

async function openEditor(keep) {
  const { data, etag } = await api('GET', '/v1/config');
  editBase = { config: data, etag };
  const pick = $('#edit-pick');
  const chosen = keep !== undefined ? keep : pick.value;
  pick.replaceChildren(el('option', { value: '' }, '— a new virtual service —'),
    ...data.virtualServices.map(v => el('option', { value: v.label }, v.label)));
  pick.value = data.virtualServices.some(v => v.label === chosen) ? chosen : '';
  fillForm();
}

function current() {
  return editBase.config.virtualServices.find(v => v.label === $('#edit-pick').value);
}

function fillForm() {
  clearProblems();
  const v = current() || { label: '', address: '', ports: [], layer: 7, protocol: 'tcp', scheduler: 'weighted-round-robin', persistence: { mode: 'none', timeout: '300s' }, realServers: [] };
  const f = $('#edit-form');
  f.label.value = v.label;
  f.address.value = v.address;
  f.ports.value = v.ports.join(', ');
  f.layer.value = String(v.layer);
  f.protocol.value = v.layer === 4 ? v.mode : v.protocol;
  f.scheduler.value = v.scheduler;
  f['persistence-mode'].value = v.persistence.mode;
  f['persistence-timeout'].value = v.persistence.timeout;
  setProtocolChoices();
  f.protocol.value = v.layer === 4 ? v.mode : v.protocol;
  $('#edit-rips tbody').replaceChildren(...v.realServers.map(ripRow));
  $('#edit-delete').hidden = !current();
}

function setProtocolChoices() {
  const f = $('#edit-form');
  const l4 = f.layer.value === '4';
  f.protocol.replaceChildren(...(l4 ? ['nat', 'dr', 'snat'] : ['tcp', 'http', 'dicom', 'hl7-mllp']).map(p => el('option', {}, p)));
}

function ripRow(r = { label: '', address: '', port: '', weight: 1 }) {
  return el('tr', {},
    el('td', {}, el('input', { 'data-field': 'label', value: r.label })),
    el('td', {}, el('input', { 'data-field': 'address', value: r.address })),
    el('td', {}, el('input', { 'data-field': 'port', value: r.port, size: 6 })),
    el('td', {}, el('input', { 'data-field': 'weight', value: r.weight, size: 4 })),
    el('td', {}, el('button', { type: 'button', onclick: ev => ev.target.closest('tr').remove() }, 'Remove')));
}

function numberOrText(s) {
  return /^-?\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim();
}

function formToVip() {
  const f = $('#edit-form');
  const before = current();
  const v = before ? JSON.parse(JSON.stringify(before)) : {};
  v.label = f.label.value.trim();
  v.address = f.address.value.trim();
  v.ports = f.ports.value.split(/[\s,]+/).filter(Boolean).map(numberOrText);
  v.layer = Number(f.layer.value);
  if (v.layer === 4) { v.mode = f.protocol.value; delete v.protocol; } else { v.protocol = f.protocol.value; delete v.mode; }
  v.scheduler = f.scheduler.value;
  v.persistence = { ...(v.persistence || {}), mode: f['persistence-mode'].value, timeout: f['persistence-timeout'].value.trim() };
  const oldRips = before ? before.realServers : [];
  v.realServers = $$('#edit-rips tbody tr').map((tr, i) => {
    const base = oldRips[i] && oldRips[i].label === $('[data-field=label]', tr).value.trim() ? { ...oldRips[i] } : {};
    for (const input of $$('input', tr)) base[input.dataset.field] = numberOrText(input.value);
    return base;
  });
  return v;
}

function clearProblems() {
  $$('#edit-form .problem').forEach(p => p.remove());
  $$('#edit-form .invalid').forEach(i => i.classList.remove('invalid'));
  $('#edit-result').textContent = '';
  $('#edit-result').className = '';
}

// A problem's path (virtualServices[2].realServers[0].port) shown beside its field.
function showProblems(problems, index) {
  const unplaced = [];
  for (const p of problems || []) {
    const m = p.path.match(/^virtualServices\[(\d+)\]\.?(.*)$/);
    let input = null;
    if (m && Number(m[1]) === index) {
      const rest = m[2];
      const rip = rest.match(/^realServers\[(\d+)\]\.?(.*)$/);
      if (rip) {
        const tr = $$('#edit-rips tbody tr')[Number(rip[1])];
        input = tr && ($('[data-field="' + rip[2] + '"]', tr) || $('input', tr));
      } else {
        input = $('#edit-form [data-field="' + rest.replace(/\[\d+\]$/, '') + '"]');
      }
    }
    if (input) {
      input.classList.add('invalid');
      input.after(el('span', { class: 'problem', 'data-path': p.path }, p.message));
    } else {
      unplaced.push(p.path + ': ' + p.message);
    }
  }
  return unplaced;
}

async function save(ev) {
  ev.preventDefault();
  clearProblems();
  const config = JSON.parse(JSON.stringify(editBase.config));
  const v = formToVip();
  let index = config.virtualServices.findIndex(x => x.label === $('#edit-pick').value);
  if (index < 0) { config.virtualServices.push(v); index = config.virtualServices.length - 1; }
  else config.virtualServices[index] = v;
  await put(config, index, v.label);
}

async function removeVip() {
  const label = $('#edit-pick').value;
  if (!label || !confirm('Delete virtual service ' + label + '? Its clients are cut off.')) return;
  const config = JSON.parse(JSON.stringify(editBase.config));
  config.virtualServices = config.virtualServices.filter(x => x.label !== label);
  await put(config, -1, '');
}

async function put(config, index, keep) {
  const result = $('#edit-result');
  try {
    const { data } = await api('PUT', '/v1/config', config, { 'If-Match': editBase.etag });
    await openEditor(keep);
    result.textContent = 'Saved: configuration version ' + data.configVersion + ' runs.';
    result.className = 'ok';
  } catch (e) {
    result.className = 'error';
    if (e.status === 409) {
      result.textContent = e.message + ' (someone else saved first; the form shows their version)';
      await openEditor(keep);
      result.className = 'error';
      result.textContent = e.message;
    } else if (e.status === 422) {
      const rest = showProblems(e.body.problems, index);
      result.textContent = 'Not saved: ' + e.message + (rest.length ? ' — ' + rest.join('; ') : '');
    } else {
      result.textContent = 'Not saved: ' + e.message;
    }
  }
}

// ---- configuration, backup and restore, audit --------------------------------------------

async function renderConfig() {
  const { data, etag } = await api('GET', '/v1/config');
  editBase = { config: data, etag };
  $('#config-view').textContent = JSON.stringify(data, null, 2);
  const certs = (await api('GET', '/v1/certificates')).data.certificates;
  $('#cert-table tbody').replaceChildren(...certs.map(c => el('tr', { 'data-cert': c.name },
    el('td', {}, c.name), el('td', {}, c.kind),
    el('td', { class: c.problem ? 'error' : '' }, c.problem || c.subject),
    el('td', {}, c.issuer || ''), el('td', {}, c.notAfter || ''))));
}

async function uploadCertificate(ev) {
  ev.preventDefault();
  const result = $('#cert-result');
  const name = $('#cert-name').value.trim();
  try {
    const certificate = await $('#cert-file').files[0].text();
    const key = await $('#cert-key').files[0].text();
    await api('PUT', '/v1/certificates/' + encodeURIComponent(name), { certificate, key },
      { 'If-Match': editBase.etag });
    $('#cert-form').reset();
    await renderConfig();
    result.textContent = 'Certificate ' + name + ' uploaded; the pair replicates it with the configuration.';
    result.className = 'ok';
  } catch (e) {
    result.className = 'error';
    result.textContent = 'Not uploaded: ' + e.message +
      ((e.body && e.body.problems) ? ' — ' + e.body.problems.map(p => p.path + ': ' + p.message).join('; ') : '');
  }
}

function backup() {
  const blob = new Blob([$('#config-view').textContent], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'lbctl-config-' + new Date().toISOString().slice(0, 19) + '.json' });
  document.body.append(a);
  a.click();
  a.remove();
}

async function restore(ev) {
  const file = ev.target.files[0];
  if (!file) return;
  const text = await file.text();
  ev.target.value = '';
  if (!confirm('Replace the running configuration with ' + file.name + '?')) return;
  const result = $('#config-result');
  try {
    const { data } = await api('PUT', '/v1/config', text, { 'If-Match': editBase.etag });
    result.textContent = 'Restored: configuration version ' + data.configVersion + ' runs.';
    result.className = 'ok';
    await renderConfig();
  } catch (e) {
    result.className = 'error';
    result.textContent = 'Not restored: ' + e.message +
      ((e.body && e.body.problems) ? ' — ' + e.body.problems.map(p => p.path + ': ' + p.message).join('; ') : '');
  }
}

async function renderAudit() {
  const { data } = await api('GET', '/v1/audit');
  $('#audit-table tbody').replaceChildren(...data.entries.map(e => el('tr', {},
    el('td', {}, e.time), el('td', {}, e.user), el('td', {}, e.from),
    el('td', {}, e.action), el('td', { class: e.status >= 300 ? 'error' : '' }, e.status), el('td', {}, e.detail))));
}

// ---- start -------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', async () => {
  $('#login-form').addEventListener('submit', login);
  $('#logout').addEventListener('click', logout);
  $('#failover').addEventListener('click', failover);
  $('#edit-pick').addEventListener('change', fillForm);
  $('#edit-form').layer.addEventListener('change', setProtocolChoices);
  $('#add-rip').addEventListener('click', () => $('#edit-rips tbody').append(ripRow()));
  $('#edit-form').addEventListener('submit', save);
  $('#edit-delete').addEventListener('click', removeVip);
  $('#backup').addEventListener('click', backup);
  $('#restore').addEventListener('change', restore);
  $('#cert-form').addEventListener('submit', uploadCertificate);
  window.addEventListener('hashchange', () => show(location.hash.slice(1)));
  try {
    await status();
    await enter();
  } catch (e) {
    if (e.status !== 401) showLogin('Cannot reach the node: ' + e.message);
  }
});
