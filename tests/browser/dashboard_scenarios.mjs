#!/usr/bin/env node
// Browser scenarios for the dashboard addon's Web UI, in headless Chromium (puppeteer-core).
//   node dashboard_scenarios.mjs <scenario> --url https://127.0.0.1:PORT/ui/ --token TOKEN
//        [--shots DIR] [--namespace NS] [--name NAME] [--replicas N] [--expect TEXT] [--count N]
//        [--timeout MS] [--chromium PATH] [--modules DIR (node_modules holding puppeteer-core)]
// Exit 0 on success; 1 with one line on stderr on failure (and fail-<scenario>.png in --shots).
// Scenarios: login, wrong-token, scale, pod-appears, logs, exec, bad-yaml, create-many, screenshots,
// pods-render, change-delay (see each function below for what it prints).
import {createRequire} from 'node:module';
import {mkdirSync} from 'node:fs';
import {join, dirname, resolve} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import readline from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));

class ScenarioError extends Error {}
const fail = (message) => { throw new ScenarioError(message); };

function parseArgs(argv) {
  const opts = {scenario: argv[0], timeout: 30000, chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    modules: process.env.SKIFF_UI_MODULES || join(here, '../../plugins/addons/dashboard/web/node_modules')};
  for (let i = 1; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) fail(`unexpected argument "${argv[i]}" (flags are --name value)`);
    opts[argv[i].slice(2)] = argv[++i];
  }
  if (!opts.url) fail('--url https://HOST:PORT/ui/ is required');
  opts.timeout = Number(opts.timeout);
  return opts;
}

async function loadPuppeteer(modules) {
  const require = createRequire(join(resolve(modules), '..', 'package.json'));
  let entry;
  try { entry = require.resolve('puppeteer-core'); } catch {
    fail(`puppeteer-core not found under ${modules}: run \`npm ci\` in plugins/addons/dashboard/web or pass --modules`);
  }
  const module = await import(pathToFileURL(entry).href);
  return module.default || module;
}

// ---- page helpers ----

const sel = (testid, extra = '') => `[data-testid="${testid}"]${extra}`;

async function openApp(browser, opts, {route = '#/overview', viaLogin = true} = {}) {
  const page = await browser.newPage();
  page.setDefaultTimeout(opts.timeout);
  page.on('pageerror', (e) => { opts.pageErrors.push(e.message); });
  watchAssets(page, opts);
  if (!viaLogin) {
    // Already logged in (benchmarks): the token goes straight into sessionStorage.
    await page.evaluateOnNewDocument((token) => {
      sessionStorage.setItem('skiff.token', token);
      sessionStorage.setItem('skiff.filters', JSON.stringify({namespace: '', search: ''}));
    }, opts.token);
    await goto(page, opts.url + route);
    return page;
  }
  await goto(page, opts.url);
  await login(page, opts.token);
  await page.waitForSelector(sel('overview-nodes-ready'));
  if (route !== '#/overview') await go(page, route);
  return page;
}

// The app's own files that failed to load, named in a failure message.
function watchAssets(page, opts) {
  page.on('response', (r) => { if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/ui/')) opts.assetErrors.push(`${r.url()} HTTP ${r.status()}`); });
  page.on('requestfailed', (r) => { if (new URL(r.url()).pathname.startsWith('/ui/')) opts.assetErrors.push(`${r.url()} ${r.failure()?.errorText}`); });
}

// Chromium aborts loads when the machine's interfaces change (containers starting add veths):
// net::ERR_NETWORK_CHANGED. A navigation is tried again a few times then.
// The app has started when its "Loading Skiff…" placeholder is gone; a module dropped on the
// way leaves it there, and the page is loaded again.
async function goto(page, url) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url);
      await page.waitForFunction(() => !document.querySelector('.boot'), {timeout: 10000});
      return;
    } catch (e) {
      if (!/ERR_NETWORK_CHANGED|Waiting failed|timeout/i.test(e.message) || attempt >= 4) throw e;
    }
  }
}

async function login(page, token) {
  await page.waitForSelector('#token');
  const label = await page.$eval('label[for=token]', (l) => l.textContent.trim());
  if (label !== 'Token') fail(`the login field's label is "${label}", expected "Token"`);
  await page.type('#token', token);
  await page.click(sel('login-submit'));
}

async function go(page, route) {
  await page.evaluate((r) => { location.hash = r; }, route);
  await page.waitForFunction((r) => location.hash === r, {}, route);
}

async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent.trim());
}

// Waits for fn in the page; on timeout fails with `what` and what the page shows instead.
async function waitFor(page, what, fn, arg, opts, extra = {}) {
  try {
    return await page.waitForFunction(fn, {timeout: opts.timeout, ...extra}, arg);
  } catch (e) {
    if (!/timeout|Waiting failed/i.test(e.message)) throw e;
    const status = await page.evaluate(() => [...document.querySelectorAll('[role=status],[role=alert]')]
      .map((s) => s.textContent.trim()).filter(Boolean).join(' | ')).catch(() => '');
    fail(`${what} (not within ${opts.timeout} ms; the page says: ${status || 'nothing'})`);
  }
}

async function setSearch(page, {namespace = '', search = ''}) {
  await page.waitForSelector(sel('search'));
  await page.evaluate((ns, text) => {
    const select = document.querySelector('[data-testid=namespace-filter]');
    if (![...select.options].some((o) => o.value === ns)) select.append(new Option(ns, ns));
    select.value = ns;
    select.dispatchEvent(new Event('change'));
    const input = document.querySelector('[data-testid=search]');
    input.value = text;
    input.dispatchEvent(new Event('input'));
  }, namespace, search);
}

const need = (opts, ...keys) => keys.forEach((k) => opts[k] || fail(`--${k} is required for ${opts.scenario}`));
const podRoute = (opts) => `#/pods/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(opts.name)}`;
const rowSelector = (ns, name) => `[data-testid="pod-row"][data-name="${CSS_escape(name)}"]` + (ns ? `[data-namespace="${CSS_escape(ns)}"]` : '');
const CSS_escape = (s) => String(s).replace(/["\\]/g, '\\$&');

async function shot(page, opts, name) {
  if (!opts.shots) return;
  mkdirSync(opts.shots, {recursive: true});
  await page.screenshot({path: join(opts.shots, name + '.png')});
}

// ---- scenarios ----

const scenarios = {
  // Good token → the overview shows every node Ready (e.g. 1/1).
  async login(browser, opts) {
    const page = await openApp(browser, opts);
    await waitFor(page, 'the overview never showed all nodes Ready', () => {
      const m = /^(\d+)\/(\d+)$/.exec(document.querySelector('[data-testid=overview-nodes-ready]')?.textContent.trim() || '');
      return m && m[1] === m[2] && Number(m[2]) > 0;
    }, null, opts);
    console.log('nodes Ready ' + await text(page, sel('overview-nodes-ready')));
    await shot(page, opts, 'overview');
  },

  // A wrong token is refused with the message, and the login page stays.
  async 'wrong-token'(browser, opts) {
    const page = await browser.newPage();
    page.setDefaultTimeout(opts.timeout);
    watchAssets(page, opts);
    await goto(page, opts.url);
    await login(page, (opts.token || 'skiff') + '-wrong');
    await waitFor(page, 'no "The API refused this token" message after a wrong token', () => {
      const e = document.querySelector('[data-testid=login-error]');
      return e && !e.hidden && e.textContent.includes('The API refused this token');
    }, null, opts);
    if (await page.$(sel('overview-nodes-ready'))) fail('the app opened with a wrong token');
    await shot(page, opts, 'login-refused');
    console.log(await text(page, sel('login-error')));
  },

  // Scales a Deployment from its page; passes when the UI shows the new replicas from the API.
  async scale(browser, opts) {
    need(opts, 'namespace', 'name', 'replicas');
    const page = await openApp(browser, opts, {route: `#/workloads/deployments/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(opts.name)}`});
    await waitFor(page, `Deployment ${opts.namespace}/${opts.name} never showed`, () => document.querySelector('[data-testid=deployment-replicas]'), null, opts);
    await page.click(sel('scale-input'), {count: 3});
    await page.type(sel('scale-input'), String(opts.replicas));
    await page.click(sel('scale-apply'));
    await waitFor(page, `scaling to ${opts.replicas} did not succeed`, (r) =>
      document.querySelector('[data-testid=action-status]')?.textContent.includes(`Scaled to ${r}.`), opts.replicas, opts);
    await waitFor(page, `the Deployment's replicas did not become ${opts.replicas} in the UI`, (r) =>
      document.querySelector('[data-testid=deployment-replicas]')?.textContent === String(r), opts.replicas, opts);
    await shot(page, opts, 'deployment-scaled');
    console.log(`scaled ${opts.namespace}/${opts.name} to ${opts.replicas}`);
  },

  // Prints READY once the pods view is loaded and watching; passes when the pod's row shows,
  // without a reload.
  async 'pod-appears'(browser, opts) {
    need(opts, 'name');
    const page = await openApp(browser, opts, {route: '#/pods'});
    await setSearch(page, {namespace: opts.namespace || '', search: opts.name});
    await waitFor(page, 'the pods list never loaded', () => document.querySelector('[data-testid=pods-table]')?.dataset.synced === 'true', null, opts);
    await page.evaluate(() => { window.__skiffNoReload = true; });
    console.log('READY');
    await waitFor(page, `no row for pod ${opts.name} appeared`, (s) => document.querySelector(s), rowSelector(opts.namespace, opts.name),
      {...opts, timeout: Math.max(opts.timeout, 60000)}, {polling: 'mutation'});
    if (!(await page.evaluate(() => window.__skiffNoReload))) fail('the page reloaded before the pod appeared');
    await shot(page, opts, 'pod-appeared');
    console.log(`pod ${opts.name} appeared`);
  },

  // The pod page's log (follow on) shows TEXT.
  async logs(browser, opts) {
    need(opts, 'namespace', 'name', 'expect');
    const page = await openApp(browser, opts, {route: podRoute(opts)});
    await page.waitForSelector(sel('log-output'));
    if (!(await page.$eval(sel('log-follow'), (c) => c.checked))) fail('follow is not on by default');
    await waitFor(page, `the log never showed "${opts.expect}"`, (t) =>
      document.querySelector('[data-testid=log-output]').textContent.includes(t), opts.expect, opts);
    await shot(page, opts, 'pod-logs');
    console.log(`log shows "${opts.expect}"`);
  },

  // The exec terminal runs `echo skiff-$((6*7))` in the pod and shows skiff-42.
  async exec(browser, opts) {
    need(opts, 'namespace', 'name');
    const page = await openApp(browser, opts, {route: podRoute(opts)});
    await page.waitForSelector(sel('terminal-open'));
    let state = '';
    for (let attempt = 1; attempt <= 2 && !state.startsWith('Connected'); attempt++) {  // 2nd: a dropped socket
      await page.click(sel('terminal-open'));
      await waitFor(page, 'the terminal did not connect', () =>
        /^(Connected|Failed|Disconnected)/.test(document.querySelector('[data-testid=terminal-status]')?.textContent || ''), null, opts);
      state = await text(page, sel('terminal-status'));
    }
    if (!state.startsWith('Connected')) fail('the terminal did not connect: ' + state);
    await page.waitForSelector(sel('terminal', ' .xterm-helper-textarea'));
    await page.focus(sel('terminal', ' .xterm-helper-textarea'));
    await page.keyboard.type('echo skiff-$((6*7))\r');
    await waitFor(page, 'the terminal never showed skiff-42', () =>
      document.querySelector('[data-testid=terminal] .xterm-rows')?.textContent.includes('skiff-42'), null, opts);
    await shot(page, opts, 'pod-exec');
    console.log('terminal printed skiff-42');
  },

  // Creates two ConfigMaps (NAME-1, NAME-2) from one YAML of two documents on the create page.
  async 'create-many'(browser, opts) {
    need(opts, 'namespace', 'name');
    const page = await openApp(browser, opts, {route: '#/create'});
    await waitFor(page, 'the create page never became ready', () =>
      document.querySelector('[data-testid=yaml-create]')?.disabled === false, null, opts);
    await page.evaluate((ns, name) => {
      const area = document.querySelector('[data-testid=yaml-editor]');
      area.value = [1, 2].map((i) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-${i}\n  namespace: ${ns}\ndata:\n  n: "${i}"\n`).join('---\n');
      area.dispatchEvent(new Event('input'));
    }, opts.namespace, opts.name);
    await page.click(sel('yaml-create'));
    const expected = `Created ConfigMap ${opts.name}-1, ConfigMap ${opts.name}-2.`;
    await waitFor(page, `the page never said "${expected}"`, (e) =>
      document.querySelector('[data-testid=yaml-status]')?.textContent === e, expected, opts);
    console.log(expected);
  },

  // Sets spec.replicas to -1 in the Deployment's YAML; the API's message shows at that field.
  async 'bad-yaml'(browser, opts) {
    need(opts, 'namespace', 'name');
    const page = await openApp(browser, opts, {route: `#/yaml/deployments/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(opts.name)}`});
    await waitFor(page, 'the Deployment YAML never loaded', () =>
      /\nspec:\n/.test(document.querySelector('[data-testid=yaml-editor]')?.value || ''), null, opts);
    const line = await page.evaluate(() => {
      const area = document.querySelector('[data-testid=yaml-editor]');
      const lines = area.value.split('\n');
      const spec = lines.indexOf('spec:');
      for (let i = spec + 1; i < lines.length && /^\s/.test(lines[i]); i++) {
        const m = /^(\s+)replicas:/.exec(lines[i]);
        if (m && m[1].length === lines[spec + 1].search(/\S/)) {
          lines[i] = m[1] + 'replicas: -1';
          area.value = lines.join('\n');
          area.dispatchEvent(new Event('input'));
          return i + 1;
        }
      }
      return 0;
    });
    if (!line) fail('the Deployment YAML has no spec.replicas line to edit');
    await page.click(sel('yaml-save'));
    const errorSel = sel('field-error', '[data-field="spec.replicas"]');
    await waitFor(page, 'no error at the field spec.replicas after saving replicas: -1', (s) => document.querySelector(s), errorSel, opts);
    const shownLine = await page.$eval(errorSel, (e) => Number(e.dataset.line));
    if (shownLine !== line) fail(`the spec.replicas error points at line ${shownLine}, the field is on line ${line}`);
    const message = await text(page, sel('yaml-error'));
    if (!message) fail('the Status message of the API is not shown');
    await shot(page, opts, 'yaml-error');
    console.log(`spec.replicas (line ${line}): ${await text(page, errorSel)}`);
  },

  // Each main view as PNG in --shots at 1280×800, and the overview and pods at 420 px wide.
  async screenshots(browser, opts) {
    need(opts, 'shots');
    const page = await openApp(browser, opts);
    await page.setViewport({width: 1280, height: 800});
    const views = ['overview', 'nodes', 'workloads', 'pods', 'services', 'config', 'events', 'create'];
    if (opts.namespace && opts.name) views.push(podRoute(opts).slice(2));
    for (const view of views) {
      await go(page, '#/' + view);
      await settle(page, opts, view);
      await shot(page, opts, view.split('/')[0] === 'pods' && view.includes('/') ? 'pod' : view);
    }
    await page.setViewport({width: 420, height: 800});
    for (const view of ['overview', 'pods']) {
      await go(page, '#/' + view);
      await settle(page, opts, view);
      await shot(page, opts, view + '-420');
    }
    await page.click('button.menu');
    await shot(page, opts, 'menu-420');
    console.log(`screenshots in ${opts.shots}`);
  },

  // Opens the pods view cold (token already in the session); prints the time to the first row
  // and until --count pods are in the table model, the bytes transferred, the longest task.
  async 'pods-render'(browser, opts) {
    need(opts, 'count');
    const count = Number(opts.count);
    const page = await browser.newPage();
    page.setDefaultTimeout(opts.timeout);
    watchAssets(page, opts);
    const bytes = await countBytes(page);
    await page.evaluateOnNewDocument((n) => {
      const perf = window.__skiffPerf = {longest_task_ms: 0};
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) perf.longest_task_ms = Math.max(perf.longest_task_ms, Math.round(e.duration));
      }).observe({type: 'longtask', buffered: true});
      const check = () => {
        const t = document.querySelector('[data-testid=pods-table]');
        if (!t) return;
        if (!perf.first && t.querySelector('[data-testid=pod-row]')) perf.first = performance.now();
        if (!perf.all && Number(t.dataset.rowCount) >= n) perf.all = performance.now();
      };
      new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-row-count']});
    }, count);
    await page.evaluateOnNewDocument((token) => {
      sessionStorage.setItem('skiff.token', token);
      sessionStorage.setItem('skiff.filters', JSON.stringify({namespace: '', search: ''}));
    }, opts.token);
    await goto(page, opts.url + '#/pods');
    await waitFor(page, `the pods table never held ${count} pods`, () => window.__skiffPerf.all, null, opts);
    const perf = await page.evaluate(() => window.__skiffPerf);
    console.log(JSON.stringify({count, first_render_ms: Math.round(perf.first), all_ms: Math.round(perf.all),
      longest_task_ms: perf.longest_task_ms, ...bytes()}));
  },

  // Prints READY with the pods view open; then for each stdin line "POD [EPOCH_MS]" measures
  // the ms until the pod's row shows (from EPOCH_MS when given, else from reading the line),
  // printing {"name","ms"} per pod and at the end {"samples","p50_ms","p99_ms","max_ms"}.
  async 'change-delay'(browser, opts) {
    const page = await openApp(browser, opts, {route: '#/pods', viaLogin: false});
    await waitFor(page, 'the pods list never loaded', () => document.querySelector('[data-testid=pods-table]')?.dataset.synced === 'true', null, opts);
    console.log('READY');
    const delays = [];
    for await (const line of readline.createInterface({input: process.stdin})) {
      const [name, epoch] = line.trim().split(/\s+/);
      if (!name) continue;
      const start = epoch ? Number(epoch) : Date.now();
      await setSearch(page, {namespace: opts.namespace || '', search: name});
      const shown = await waitFor(page, `no row for pod ${name} appeared`, (s) => (document.querySelector(s) ? Date.now() : false),
        rowSelector(opts.namespace, name), opts, {polling: 'mutation'});
      const ms = (await shown.jsonValue()) - start;
      delays.push(ms);
      console.log(JSON.stringify({name, ms}));
    }
    delays.sort((a, b) => a - b);
    const at = (q) => delays.length ? delays[Math.min(delays.length - 1, Math.ceil(q * delays.length) - 1)] : null;
    console.log(JSON.stringify({samples: delays.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: delays.at(-1) ?? null}));
  },
};

// Waits until a view has its data (no "Loading…" left) so screenshots are not empty frames.
async function settle(page, opts, view) {
  await waitFor(page, `the ${view} view did not finish loading`, () => {
    const main = document.querySelector('main');
    if (!main?.querySelector('h1') || document.documentElement.dataset.synced !== 'true') return false;
    const statuses = [...main.querySelectorAll('[role=status]')].map((s) => s.textContent);
    if (statuses.some((s) => s.startsWith('Loading'))) return false;
    const ready = main.querySelector('[data-testid=overview-nodes-ready]');
    return !ready || ready.textContent !== '…';
  }, null, opts);
}

// Bytes over the network (CDP): the app's files under /ui/ and the API's answers.
async function countBytes(page) {
  const client = await page.createCDPSession();
  await client.send('Network.enable');
  const requests = new Map();
  client.on('Network.requestWillBeSent', (e) => requests.set(e.requestId, {url: e.request.url, bytes: 0}));
  client.on('Network.dataReceived', (e) => { const r = requests.get(e.requestId); if (r) r.bytes += e.encodedDataLength; });
  client.on('Network.loadingFinished', (e) => { const r = requests.get(e.requestId); if (r) r.bytes = Math.max(r.bytes, e.encodedDataLength); });
  return () => {
    let app = 0, api = 0;
    for (const r of requests.values()) (new URL(r.url).pathname.startsWith('/ui/') ? (app += r.bytes) : (api += r.bytes));
    return {transferred_bytes: app + api, app_bytes: app, api_bytes: api};
  };
}

async function main() {
  let browser = null;
  let opts = {scenario: process.argv[2]};
  try {
    opts = parseArgs(process.argv.slice(2));
    opts.pageErrors = [];
    opts.assetErrors = [];
    const scenario = scenarios[opts.scenario] || fail(`unknown scenario "${opts.scenario}"; one of: ${Object.keys(scenarios).join(', ')}`);
    if (opts.scenario !== 'wrong-token' && !opts.token) fail('--token is required');
    const puppeteer = await loadPuppeteer(opts.modules);
    browser = await puppeteer.launch({executablePath: opts.chromium, headless: true, acceptInsecureCerts: true,
      args: ['--no-sandbox', '--ignore-certificate-errors', '--disable-dev-shm-usage'], defaultViewport: {width: 1280, height: 800}});
    await scenario(browser, opts);
    if (opts.pageErrors.length) fail('the page threw: ' + opts.pageErrors[0]);
    await browser.close();
    process.exit(0);
  } catch (error) {
    const page = browser && (await browser.pages().catch(() => [])).at(-1);
    if (page && opts.shots) await shot(page, opts, 'fail-' + opts.scenario).catch(() => {});
    const assets = opts.assetErrors?.length ? ` [app files that failed: ${opts.assetErrors.join(', ')}]` : '';
    process.stderr.write(`${opts.scenario || 'dashboard_scenarios'}: ${error instanceof ScenarioError ? '' : 'error: '}${String(error.message).split('\n')[0]}${assets}\n`);
    await browser?.close().catch(() => {});
    process.exit(1);
  }
}

main();
