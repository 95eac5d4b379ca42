// One live copy per resource: list (in pages), then watch from the list's resourceVersion;
// after a disconnect the watch resumes from the last version seen; 410 Gone lists again.
import {get, streamLines, ApiError} from './api.js';
import {resources, collectionPath, keyOf} from './resources.js';

// A small first page shows something quickly; the rest comes in large pages.
const FIRST_PAGE = 100;
const PAGE = 500;
const RETRY_MS = [500, 1000, 2000, 5000];
const WATCH_SECONDS = 300;
const SILENT_MS = (WATCH_SECONDS + 30) * 1000;

class ResourceCache {
  constructor(resKey) {
    this.resKey = resKey;
    this.res = resources[resKey];
    this.items = new Map();     // namespace/name → object
    this.listeners = new Set();
    this.resourceVersion = '';
    this.synced = false;        // the first full list has arrived
    this.error = null;          // the last failure, shown by views
    this.abort = new AbortController();
    this.notifyQueued = false;
    this.run();
  }

  subscribe(fn) {
    this.listeners.add(fn);
    if (this.items.size || this.synced || this.error) fn(this);
    return () => this.listeners.delete(fn);
  }

  get(key) { return this.items.get(key); }
  list() { return [...this.items.values()]; }

  // Many events in a burst render once.
  notify() {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    setTimeout(() => {
      this.notifyQueued = false;
      for (const fn of this.listeners) fn(this);
      markSynced();
    }, 0);
  }

  async run() {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.resourceVersion) await this.relist();
        failures = 0;
        await this.watch();
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof ApiError && (error.status === 410 || error.status === 404 || error.status === 403)) {
          this.resourceVersion = '';
        }
        if (error instanceof ApiError && error.status !== 410) {
          this.error = error;
          this.notify();
        }
        if (error instanceof ApiError && error.status === 401) return;  // back to login
        // A pause before reconnecting, growing while the API stays away.
        await pause(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)], this.abort.signal);
      }
    }
  }

  async relist() {
    const fresh = new Map();
    const firstList = !this.synced && this.items.size === 0;
    let continueToken = '';
    let list;
    do {
      const query = `?limit=${continueToken ? PAGE : FIRST_PAGE}` + (continueToken ? `&continue=${encodeURIComponent(continueToken)}` : '');
      list = await get(collectionPath(this.res) + query, {signal: this.abort.signal});
      for (const item of list.items || []) {
        fresh.set(keyOf(item), item);
        if (firstList) this.items.set(keyOf(item), item);  // the first page shows at once
      }
      if (firstList) this.notify();
      continueToken = list.metadata?.continue || '';
    } while (continueToken);
    this.items = fresh;
    this.resourceVersion = list.metadata?.resourceVersion || '';
    this.synced = true;
    this.error = null;
    this.notify();
  }

  // The server ends a watch after timeoutSeconds; a watch silent for longer than that (no
  // event, no bookmark) is taken for a dead connection and replaced.
  async watch() {
    const query = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=${WATCH_SECONDS}` +
      `&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    const stream = new AbortController();
    const stopStream = () => stream.abort();
    this.abort.signal.addEventListener('abort', stopStream, {once: true});
    let heard = Date.now();
    const watchdog = setInterval(() => { if (Date.now() - heard > SILENT_MS) stream.abort(); }, 5000);
    try {
      await streamLines(collectionPath(this.res) + query, (line) => { heard = Date.now(); this.apply(line); }, stream.signal);
    } catch (error) {
      if (!(stream.signal.aborted && !this.abort.signal.aborted)) throw error;  // the watchdog's abort: resume
    } finally {
      clearInterval(watchdog);
      this.abort.signal.removeEventListener('abort', stopStream);
    }
  }

  apply(line) {
    if (!line.trim()) return;
    const event = JSON.parse(line);
    const obj = event.object;
    if (event.type === 'ERROR') {
      const status = obj?.code || 500;
      throw new ApiError(status, obj);  // 410: list again
    }
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') this.items.delete(keyOf(obj));
    else this.items.set(keyOf(obj), obj);
    if (this.error) this.error = null;
    this.notify();
  }

  stop() { this.abort.abort(); }
}

function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, {once: true});
  });
}

// Caches live for the session: switching views shows data at once, with one watch each.
const caches = new Map();

export function cache(resKey) {
  if (!caches.has(resKey)) caches.set(resKey, new ResourceCache(resKey));
  return caches.get(resKey);
}

// subscribe for the life of a view: unsubscribed when the view's signal aborts.
export function watchFor(resKey, signal, fn) {
  const unsubscribe = cache(resKey).subscribe(fn);
  signal.addEventListener('abort', unsubscribe, {once: true});
  return cache(resKey);
}

// <html data-synced="true"> once every list in use has fully arrived (tests wait on it).
function markSynced() {
  const all = [...caches.values()].every((c) => c.synced || c.error);
  document.documentElement.dataset.synced = String(all);
}

export function stopAll() {
  for (const c of caches.values()) c.stop();
  caches.clear();
}
