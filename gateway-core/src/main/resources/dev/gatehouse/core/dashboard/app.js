// The Gatehouse dashboard: plain ES modules, no framework, no build step. It reads the read-only API next to
// it (/dashboard/ reads /api/) and polls it every few seconds. Everything shown comes from the configuration,
// so all text goes through textContent, never innerHTML.

const API = new URL('../api/', document.baseURI);
const params = new URLSearchParams(location.search);
const REFRESH_MS = Math.max(1, Number(params.get('refresh')) || 5) * 1000;

const main = document.getElementById('main');
const banner = document.getElementById('banner');
const updated = document.getElementById('updated');
const live = document.getElementById('live');

const KINDS = {
  routers: {
    title: 'Routers', path: 'http/routers',
    columns: [
      ['Rule', r => code(r.rule)],
      ['Entry points', r => (r.entryPoints?.length ? list(r.entryPoints) : el('span', { class: 'muted' }, 'default'))],
      ['Service', r => r.service ?? ''],
      ['Middlewares', r => list(r.middlewares)],
      ['Priority', r => String(r.priority ?? '')],
      ['TLS', r => (r.tls ? (r.tls.certResolver ? 'TLS, resolver ' + r.tls.certResolver : 'TLS') : '')],
    ],
  },
  services: {
    title: 'Services', path: 'http/services',
    columns: [
      ['Type', s => s.type ?? ''],
      ['Servers', s => list((s.loadBalancer?.servers ?? []).map(server => serverItem(s, server.url ?? server.address)))],
      ['Used by', s => list(s.usedBy)],
    ],
  },
  middlewares: {
    title: 'Middlewares', path: 'http/middlewares',
    columns: [
      ['Type', m => m.type ?? ''],
      ['Used by', m => list(m.usedBy)],
    ],
  },
  'tcp-routers': {
    title: 'TCP routers', path: 'tcp/routers',
    columns: [
      ['Rule', r => code(r.rule)],
      ['Entry points', r => list(r.using)],
      ['Service', r => r.service ?? ''],
      ['Middlewares', r => list(r.middlewares)],
      ['TLS', r => (r.tls ? (r.tls.passthrough ? 'passthrough' : 'terminated') : '')],
    ],
  },
  'tcp-services': {
    title: 'TCP services', path: 'tcp/services',
    columns: [
      ['Servers', s => list((s.loadBalancer?.servers ?? []).map(server => server.address))],
      ['Weighted', s => list((s.weighted?.services ?? []).map(w => `${w.name} (${w.weight ?? 1})`))],
      ['Used by', s => list(s.usedBy)],
    ],
  },
  'tcp-middlewares': {
    title: 'TCP middlewares', path: 'tcp/middlewares',
    columns: [
      ['Type', m => (m.ipAllowList ? 'ipAllowList' : m.inFlightConn ? 'inFlightConn' : '')],
      ['Used by', m => list(m.usedBy)],
    ],
  },
  // UDP routers have no rule: a UDP entry point serves one router.
  udpRouters: {
    title: 'UDP routers', path: 'udp/routers', word: 'UDP router', overview: ['udp', 'routers'],
    columns: [
      ['Entry points', r => (r.entryPoints?.length ? list(r.entryPoints) : el('span', { class: 'muted' }, 'every UDP entry point'))],
      ['Serves', r => list(r.using)],
      ['Service', r => r.service ?? ''],
    ],
  },
  udpServices: {
    title: 'UDP services', path: 'udp/services', word: 'UDP service', overview: ['udp', 'services'],
    columns: [
      ['Type', s => s.type ?? ''],
      ['Servers', s => list((s.loadBalancer?.servers ?? []).map(server => server.address ?? ''))],
      ['Used by', s => list(s.usedBy)],
    ],
  },
};
const UDP_KINDS = ['udpRouters', 'udpServices'];

/** What the current view shows and its filters, from the location hash: #/routers?search=x&status=disabled */
function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const view = path || 'overview';
  return { view, filters: new URLSearchParams(query) };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function code(text) {
  return text ? el('code', {}, text) : '';
}

function list(items) {
  if (!items || items.length === 0) return el('span', { class: 'muted' }, '—');
  return el('ul', { class: 'plain' }, items.map(item => el('li', {}, item)));
}

/** A server, with its health when the API reports it (serverStatus, as in Traefik: url to UP or DOWN). */
function serverItem(service, url) {
  const health = service.serverStatus?.[url];
  if (!health) return url;
  return el('span', {}, el('span', { class: `badge status-${health === 'UP' ? 'enabled' : 'disabled'}` }, health), ' ', url);
}

function badge(status) {
  const value = status || 'unknown';
  return el('span', { class: `badge status-${value}`, title: `status: ${value}` }, value);
}

async function getJson(path) {
  const response = await fetch(new URL(path, API), { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

// ---- state -------------------------------------------------------------------------------------------------

let data = {};
let renderedView = null;
const open = new Set(); // names whose details are expanded; kept across refreshes
let timer = null;
let lastSnapshot = null;

async function load(view) {
  const wanted = view === 'overview' ? ['overview', 'entrypoints', 'routers', 'services', 'middlewares', ...UDP_KINDS, 'plugins', 'providers']
    : view === 'plugins' ? ['plugins'] : view === 'certificates' ? ['certificates'] : KINDS[view] ? [view] : [];
  const paths = {
    overview: 'overview', entrypoints: 'entrypoints', plugins: 'plugins', version: 'version', certificates: 'certificates',
    providers: 'providers',
    ...Object.fromEntries(Object.entries(KINDS).map(([kind, spec]) => [kind, spec.path])),
  };
  if (!data.version) wanted.push('version');
  const results = await Promise.all(wanted.map(key => getJson(paths[key])));
  wanted.forEach((key, i) => { data[key] = results[i]; });
  // Unchanged data is not drawn again: no flicker, and a selection or an open list stays as it is.
  const snapshot = `${view} ${JSON.stringify(results)}`;
  const changed = snapshot !== lastSnapshot;
  lastSnapshot = snapshot;
  return changed;
}

async function refresh() {
  clearTimeout(timer);
  const { view } = route();
  try {
    const changed = await load(view);
    banner.hidden = true;
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    updated.dataset.state = 'ok';
    if (changed || renderedView !== view) render();
  } catch (error) {
    banner.hidden = false;
    banner.textContent = `Cannot read the API (${error.message}); showing the last data. Retrying every ${REFRESH_MS / 1000} s.`;
    updated.dataset.state = 'error';
    if (renderedView !== view) render();
  }
  schedule();
}

function schedule() {
  clearTimeout(timer);
  if (live.checked) timer = setTimeout(() => (document.hidden ? schedule() : refresh()), REFRESH_MS);
}

// ---- views -------------------------------------------------------------------------------------------------

function render() {
  const { view, filters } = route();
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.view === view);
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (data.version) document.getElementById('version').textContent = `v${data.version.Version}`;
  if (KINDS[view]) {
    renderKind(view, filters);
  } else {
    const content = view === 'plugins' ? pluginsView() : view === 'certificates' ? certificatesView() : overviewView();
    main.replaceChildren(content);
    document.title = `Gatehouse · ${view}`;
  }
  renderedView = view;
}

function overviewView() {
  const overview = data.overview ?? { http: {} };
  // The UDP cards only where there are UDP routers or services.
  const shownKinds = ['routers', 'services', 'middlewares',
    ...UDP_KINDS.filter(kind => (overview.udp?.[KINDS[kind].overview[1]]?.total ?? 0) > 0)];
  const cards = shownKinds.map(kind => {
    const [section, key] = KINDS[kind].overview ?? ['http', kind];
    const counts = overview[section]?.[key] ?? { total: 0, warnings: 0, errors: 0 };
    return el('div', { class: 'card', dataset: { kind } },
      el('h2', {}, el('a', { href: `#/${kind}` }, KINDS[kind].title)),
      el('p', { class: 'total' }, String(counts.total)),
      el('p', {},
        el('a', { class: 'count ok', href: `#/${kind}?status=enabled` }, `${counts.total - counts.errors - counts.warnings} enabled`), ' ',
        el('a', { class: `count ${counts.warnings ? 'warn' : ''}`, href: `#/${kind}?status=warning` }, plural(counts.warnings, 'warning')), ' ',
        el('a', { class: `count ${counts.errors ? 'err' : ''}`, href: `#/${kind}?status=disabled` }, plural(counts.errors, 'error'))));
  });
  const problems = Object.keys(KINDS).flatMap(kind =>
    (data[kind] ?? []).filter(e => e.error?.length).map(e => ({ kind, e })));
  const pluginProblems = data.plugins?.problems ?? [];
  const providers = data.providers ?? [];
  const providerProblems = providers.filter(p => p.error);
  return el('section', { id: 'overview' },
    el('h1', {}, 'Overview'),
    el('div', { class: 'cards' }, cards),
    el('h2', {}, 'Problems'),
    problems.length || pluginProblems.length || providerProblems.length
      ? el('ul', { class: 'problems', id: 'problems' },
        providerProblems.map(p => el('li', {}, providerBadge(p.status), ' ',
          el('a', { href: `#/routers?provider=${encodeURIComponent(p.name)}` }, p.name), ' ',
          el('span', { class: 'muted' }, 'provider'), errorList([p.error]))),
        problems.map(({ kind, e }) => el('li', {},
          badge(e.status), ' ', el('a', { href: `#/${kind}?search=${encodeURIComponent(e.name)}` }, e.name), ' ',
          el('span', { class: 'muted' }, KINDS[kind].word ?? kind.slice(0, -1)), errorList(e.error))),
        pluginProblems.map(p => el('li', {}, badge('disabled'), ' ', el('a', { href: '#/plugins' }, p.plugin || p.file), ' ',
          el('span', { class: 'muted' }, 'plugin'), errorList([p.error]))))
      : el('p', { class: 'muted', id: 'problems' }, 'No problems: every provider, router, service, middleware and plugin is fine.'),
    el('div', { class: 'columns' },
      el('div', {}, el('h2', {}, 'Entry points'),
        table(['Name', 'Address', 'Port'], (data.entrypoints ?? []).map(ep => [ep.name, code(ep.address), String(ep.port ?? '')]))),
      el('div', {}, el('h2', {}, 'Providers'), providersTable(providers),
        el('h2', {}, 'Plugins'), el('p', {}, `${data.plugins?.plugins?.length ?? 0} loaded, ${pluginProblems.length} failed`))));
}

/** A provider's status (up, starting, down, failed) in the colours of the element statuses. */
function providerBadge(status) {
  const colour = status === 'up' ? 'enabled' : status === 'starting' ? 'warning' : 'disabled';
  return el('span', { class: `badge status-${colour}`, title: `provider: ${status}` }, status);
}

/** Each provider: its status, when it last read its source, what it published, and its problem when it has one. */
function providersTable(providers) {
  const when = iso => (iso ? new Date(iso).toLocaleTimeString() : el('span', { class: 'muted' }, 'never'));
  return el('div', { id: 'providers' }, table(['Provider', 'Status', 'Last update', 'Published'], providers.map(p => [
    el('div', {}, p.name, errorList(p.error ? [p.error] : [])),
    providerBadge(p.status),
    when(p.lastUpdate),
    `${plural(p.routers ?? 0, 'router')}, ${plural(p.services ?? 0, 'service')}, ${plural(p.middlewares ?? 0, 'middleware')}`,
  ]), i => ({ class: providers[i].error ? 'has-error' : '', dataset: { provider: providers[i].name, status: providers[i].status } })));
}

function table(headers, rows, rowAttrs = () => ({})) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.length ? rows.map((cells, i) => el('tr', rowAttrs(i), cells.map(c => el('td', {}, c))))
      : el('tr', {}, el('td', { colspan: headers.length, class: 'muted empty' }, 'Nothing here.'))));
}

function errorList(errors) {
  if (!errors || errors.length === 0) return null;
  return el('ul', { class: 'errors' }, errors.map(message => el('li', {}, message)));
}

/** The list of one kind: toolbar (search, status, provider) rendered once per view, table on every refresh. */
function renderKind(kind, filters) {
  const spec = KINDS[kind];
  const elements = data[kind] ?? [];
  if (renderedView !== kind || !document.getElementById('table')) {
    const search = el('input', {
      type: 'search', id: 'search', placeholder: 'Search by name, rule, service…', value: filters.get('search') ?? '',
      'aria-label': 'Search', oninput: () => setFilter('search', search.value),
    });
    const status = el('select', { id: 'status', 'aria-label': 'Status', onchange: () => setFilter('status', status.value) },
      ['', 'enabled', 'warning', 'disabled'].map(s => el('option', { value: s }, s ? `status: ${s}` : 'any status')));
    status.value = filters.get('status') ?? '';
    const provider = el('select', { id: 'provider', 'aria-label': 'Provider', onchange: () => setFilter('provider', provider.value) });
    main.replaceChildren(el('section', { id: kind },
      el('h1', {}, spec.title, ' ', el('span', { class: 'muted', id: 'count' })),
      el('div', { class: 'toolbar' }, search, status, provider),
      el('div', { id: 'table' })));
    document.title = `Gatehouse · ${spec.title}`;
  }
  const providerSelect = document.getElementById('provider');
  const providers = [...new Set(elements.map(e => e.provider))].sort();
  const selected = filters.get('provider') ?? '';
  providerSelect.replaceChildren(...['', ...providers.filter(p => p !== selected), ...(selected ? [selected] : [])]
    .map(p => el('option', { value: p }, p ? `provider: ${p}` : 'any provider')));
  providerSelect.value = selected;

  const needle = (filters.get('search') ?? '').toLowerCase();
  const shown = elements.filter(e =>
    (!needle || [e.name, e.rule, e.service, e.type, ...(e.error ?? [])].some(v => v && String(v).toLowerCase().includes(needle)))
    && (!filters.get('status') || e.status === filters.get('status'))
    && (!selected || e.provider === selected));
  document.getElementById('count').textContent = `${shown.length} of ${elements.length}`;
  const headers = ['Status', 'Name', ...spec.columns.map(([h]) => h), 'Provider'];
  const rows = shown.map(e => [
    badge(e.status),
    nameCell(e),
    ...spec.columns.map(([, f]) => f(e)),
    el('span', { class: 'provider' }, e.provider ?? ''),
  ]);
  document.getElementById('table').replaceChildren(table(headers, rows, i => ({
    class: shown[i].error?.length ? 'has-error' : '', dataset: { name: shown[i].name, status: shown[i].status },
  })));
}

function nameCell(element) {
  const details = el('details', { open: open.has(element.name) },
    el('summary', {}, element.name),
    el('pre', {}, JSON.stringify(element, null, 2)));
  details.addEventListener('toggle', () => (details.open ? open.add(element.name) : open.delete(element.name)));
  return el('div', {}, details, errorList(element.error));
}

function setFilter(key, value) {
  const { view, filters } = route();
  if (value) filters.set(key, value); else filters.delete(key);
  const query = filters.toString();
  history.replaceState(null, '', `#/${view}${query ? `?${query}` : ''}`);
  render();
}

function pluginsView() {
  // The API leaves empty lists out.
  const plugins = { plugins: data.plugins?.plugins ?? [], problems: data.plugins?.problems ?? [] };
  return el('section', { id: 'plugins' },
    el('h1', {}, 'Plugins'),
    table(['Status', 'Plugin', 'Version', 'Extensions', 'File'], plugins.plugins.map(p =>
      [badge('enabled'), p.id, p.version ?? '', list(p.extensions), el('span', { class: 'muted' }, p.file ?? '')])),
    el('h2', {}, 'Plugins that failed to load'),
    plugins.problems.length
      ? table(['Status', 'Plugin', 'File', 'Error'], plugins.problems.map(p =>
        [badge('disabled'), p.plugin || '—', p.file, errorList([p.error])]), () => ({ class: 'has-error' }))
      : el('p', { class: 'muted' }, 'None.'));
}

/** Days from now until an ISO date, rounded down (negative once past). */
function daysUntil(iso) {
  return Math.floor((Date.parse(iso) - Date.now()) / 86400000);
}

function certificatesView() {
  const certificates = data.certificates ?? [];
  const expiry = c => {
    const days = daysUntil(c.notAfter);
    // Expired: red; within 30 days, when ACME renews: amber.
    const status = days < 0 ? 'disabled' : days < 30 ? 'warning' : 'enabled';
    return el('span', {}, el('span', { class: `badge status-${status}` }, days < 0 ? 'expired' : `${days} d`), ' ', c.notAfter);
  };
  const source = c => (c.source === 'resolver' ? `resolver ${c.resolver ?? ''}`.trim() : c.source);
  return el('section', { id: 'certificates' },
    el('h1', {}, 'Certificates'),
    certificates.length
      ? table(['Domains', 'Issuer', 'Expires', 'Source'], certificates.map(c =>
        [list(c.domains), c.issuer ?? '', expiry(c), source(c)]))
      : el('p', { class: 'muted' }, 'None: no certificate is configured (tls.certificates) or obtained by a resolver. '
        + 'TLS entry points serve the generated default certificate.'));
}

// ---- start -------------------------------------------------------------------------------------------------

window.addEventListener('hashchange', () => {
  const { view } = route();
  if (view !== renderedView) {
    renderedView = null;
    main.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
    refresh();
  } else {
    render();
  }
});
live.addEventListener('change', () => (live.checked ? refresh() : clearTimeout(timer)));
refresh();
