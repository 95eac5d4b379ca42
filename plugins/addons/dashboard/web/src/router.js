// Hash routes: '#/pods/:ns/:name' patterns → view functions. Each view gets an AbortSignal
// that aborts when the user leaves it (streams, watches subscriptions and timers stop).
const routes = [];
let current = null;

export function route(pattern, view) {
  const names = [];
  const regex = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
  routes.push({regex, names, view});
}

export function match(path) {
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (m) return {view: r.view, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]))};
  }
  return null;
}

export function currentPath() {
  return location.hash.replace(/^#/, '') || '/overview';
}

export function navigate(path) { location.hash = '#' + path; }

// Runs render(matched, signal) on every route change.
export function startRouter(render) {
  const go = () => {
    current?.abort();
    current = new AbortController();
    render(currentPath(), match(currentPath()), current.signal);
  };
  window.addEventListener('hashchange', go);
  go();
  return () => { window.removeEventListener('hashchange', go); current?.abort(); };
}
