// ConfigMaps and Secrets; a Secret's values stay hidden until "Show" is pressed per key.
import {h, section, table} from '../dom.js';
import {listView} from '../list-view.js';
import {watchFor} from '../watch-cache.js';
import {yamlRoute} from '../resources.js';

const keys = (o) => String(Object.keys(o.data || {}).length + Object.keys(o.binaryData || {}).length);

const specs = {
  configmaps: {title: 'ConfigMaps', resKey: 'configmaps', label: 'config maps', columns: [
    {title: 'Keys', width: '5rem', cell: keys}]},
  secrets: {title: 'Secrets', resKey: 'secrets', label: 'secrets',
    link: (s) => `#/config/secrets/${encodeURIComponent(s.metadata.namespace)}/${encodeURIComponent(s.metadata.name)}`,
    columns: [
      {title: 'Type', width: 'minmax(8rem, 2fr)', cell: (s) => s.type || 'Opaque'},
      {title: 'Keys', width: '5rem', cell: keys}]},
};

export function configView(main, {kind = 'configmaps'}, signal) {
  const tabs = Object.entries(specs).map(([key, s]) => ({key, title: s.title, route: '#/config/' + key}));
  listView(main, signal, {heading: 'Configuration', tabs, current: kind, spec: specs[kind] || specs.configmaps});
}

// base64 → text (UTF-8); binary values are shown as a byte count.
function decode(value) {
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  try { return new TextDecoder('utf-8', {fatal: true}).decode(bytes); } catch { return `(${bytes.length} bytes of binary data)`; }
}

export function secretView(main, {ns, name}, signal) {
  const body = h('div');
  const shown = new Set();
  main.append(h('h1', {}, 'Secret ', name), h('p', {class: 'muted'}, 'Namespace ', ns, ' · ',
    h('a', {href: yamlRoute('secrets', {metadata: {namespace: ns, name}})}, 'YAML (values base64-encoded)')), body);
  const render = (secret) => {
    if (!secret) { body.textContent = 'No Secret with this name (yet).'; return; }
    const rows = Object.entries(secret.data || {}).map(([key, value]) => {
      const out = h('code', {class: 'secret-value', dataset: {testid: 'secret-value'}}, shown.has(key) ? decode(value) : '••••••');
      const button = h('button', {type: 'button', 'aria-pressed': String(shown.has(key)), dataset: {testid: 'secret-show'},
        'aria-label': (shown.has(key) ? 'Hide ' : 'Show ') + key}, shown.has(key) ? 'Hide' : 'Show');
      button.addEventListener('click', () => { shown.has(key) ? shown.delete(key) : shown.add(key); render(secret); });
      return [key, out, button];
    });
    body.replaceChildren(section('Data', table('', ['Key', 'Value', ''], rows)),
      h('p', {}, 'Type: ', secret.type || 'Opaque'));
  };
  watchFor('secrets', signal, (c) => render(c.get(ns + '/' + name)));
}
