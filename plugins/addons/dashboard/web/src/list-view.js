// A live list of one resource: the filter bar, a virtualised table, tabs to sibling lists.
import {h, append} from './dom.js';
import {watchFor} from './watch-cache.js';
import {filters, matches, onFilters} from './filters.js';
import {filterBar} from './filter-bar.js';
import {virtualTable} from './virtual-table.js';
import {age} from './format.js';
import {yamlRoute, resources} from './resources.js';

// tabs: [{key: 'services', title: 'Services', route: '#/services'}], spec: the current tab's
// {resKey, label, columns, link(obj) → hash}; columns get 'Name', 'Namespace' and 'Age' added.
export function listView(main, signal, {heading, tabs, current, spec}) {
  const namespaced = resources[spec.resKey].namespaced;
  const nameCell = (obj) => h('a', {href: spec.link ? spec.link(obj) : yamlRoute(spec.resKey, obj)}, obj.metadata.name);
  const columns = [
    {title: 'Name', width: 'minmax(10rem, 2fr)', cell: nameCell},
    namespaced ? {title: 'Namespace', width: 'minmax(6rem, 1fr)', cell: (o) => o.metadata.namespace || ''} : null,
    ...spec.columns,
    {title: 'Age', width: '5rem', cell: (o) => age(o.metadata.creationTimestamp)},
  ].filter(Boolean);
  const testid = spec.testid || spec.resKey.replace(/s$/, '');
  const tableView = virtualTable({label: spec.label, testid: testid + 's-table', columns,
    rowAttrs: (o) => ({dataset: {testid: testid + '-row', name: o.metadata.name, namespace: o.metadata.namespace || ''}})});
  const status = h('p', {class: 'status', role: 'status'});
  main.replaceChildren();
  append(main, [
    h('h1', {}, heading),
    tabs ? tabBar(tabs, current) : null,
    filterBar(signal, {namespaced}),
    status,
    tableView.element]);

  let sorted = [];
  const update = (c) => {
    sorted = c.list().filter((o) => matches(o)).sort(spec.sort || byNamespaceName);
    tableView.setRows(sorted);
    status.textContent = c.error ? `Could not list ${spec.label}: ${c.error.message}`
      : c.synced ? `${sorted.length} of ${c.items.size} ${spec.label}` : `Loading ${spec.label}…`;
    spec.onUpdate?.(c, sorted);
  };
  const c = watchFor(spec.resKey, signal, update);
  onFilters(signal, () => update(c));
  const ageTimer = setInterval(() => tableView.refresh(), 10000);  // ages only; data comes by watch
  signal.addEventListener('abort', () => clearInterval(ageTimer));
  return {table: tableView, cache: c};
}

export function byNamespaceName(a, b) {
  const ns = (a.metadata.namespace || '').localeCompare(b.metadata.namespace || '');
  return ns || a.metadata.name.localeCompare(b.metadata.name);
}

function tabBar(tabs, current) {
  return h('nav', {class: 'tabs', 'aria-label': 'Kinds'},
    tabs.map((t) => h('a', {href: t.route, 'aria-current': t.key === current ? 'page' : null}, t.title)));
}

export {filters};
