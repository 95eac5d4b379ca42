// The namespace filter and search box shared by the list views.
const KEY = 'skiff.filters';
const listeners = new Set();
let state = load();

function load() {
  try { return {namespace: '', search: '', ...JSON.parse(sessionStorage.getItem(KEY) || '{}')}; }
  catch { return {namespace: '', search: ''}; }
}

export function filters() { return state; }

export function setFilters(change) {
  state = {...state, ...change};
  sessionStorage.setItem(KEY, JSON.stringify(state));
  for (const fn of listeners) fn(state);
}

export function onFilters(signal, fn) {
  listeners.add(fn);
  signal.addEventListener('abort', () => listeners.delete(fn), {once: true});
}

// "web" matches names containing web; "app=web,tier=front" matches labels (all must hold).
export function matches(obj, {namespace, search} = state) {
  const meta = obj.metadata || {};
  if (namespace && meta.namespace && meta.namespace !== namespace) return false;
  const text = (search || '').trim();
  if (!text) return true;
  if (!text.includes('=')) return (meta.name || '').toLowerCase().includes(text.toLowerCase());
  const labels = meta.labels || {};
  return text.split(',').every((term) => {
    const [key, value = ''] = term.split('=').map((s) => s.trim());
    return key && labels[key] === value;
  });
}
