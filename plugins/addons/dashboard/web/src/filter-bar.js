// The namespace selector and the search box above every list.
import {h, labelled} from './dom.js';
import {filters, setFilters} from './filters.js';
import {watchFor} from './watch-cache.js';

// Cluster-scoped lists (nodes) get the search box only.
export function filterBar(signal, {namespaced = true} = {}) {
  const select = h('select', {dataset: {testid: 'namespace-filter'}}, h('option', {value: ''}, 'All namespaces'));
  const search = h('input', {type: 'search', placeholder: 'name, or label=value', value: filters().search,
    dataset: {testid: 'search'}, autocomplete: 'off'});
  select.addEventListener('change', () => setFilters({namespace: select.value}));
  search.addEventListener('input', () => setFilters({search: search.value}));
  watchFor('namespaces', signal, (c) => {
    const names = c.list().map((n) => n.metadata.name).sort();
    const chosen = filters().namespace;
    if (chosen && !names.includes(chosen)) names.push(chosen);
    select.replaceChildren(h('option', {value: ''}, 'All namespaces'),
      ...names.map((n) => h('option', {value: n}, n)));
    select.value = chosen;
  });
  return h('form', {class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault()},
    namespaced ? labelled('Namespace', select) : null, labelled('Search', search));
}
