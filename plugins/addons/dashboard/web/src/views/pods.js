// Pods: a virtualised live table (1,000s of rows, only the visible ones in the DOM).
import {h} from '../dom.js';
import {listView} from '../list-view.js';
import {podStatus, podReady, podRestarts} from '../format.js';

export function podsView(main, _params, signal) {
  const link = (p) => `#/pods/${encodeURIComponent(p.metadata.namespace)}/${encodeURIComponent(p.metadata.name)}`;
  const {cache} = listView(main, signal, {heading: 'Pods', spec: {
    resKey: 'pods', label: 'pods', link,
    columns: [
      {title: 'Status', width: 'minmax(6rem, 1fr)', cell: (p) => h('span', {class: 'pod-status s-' + podStatus(p).replace(/[^A-Za-z]/g, '')}, podStatus(p))},
      {title: 'Ready', width: '4rem', cell: podReady},
      {title: 'Restarts', width: '5rem', cell: (p) => String(podRestarts(p))},
      {title: 'Node', width: 'minmax(6rem, 1fr)', cell: (p) => p.spec?.nodeName || ''},
    ]}});
  // For tests and benchmarks: the table element says when the list has fully arrived.
  const table = main.querySelector('[data-testid=pods-table]');
  const mark = () => { table.dataset.total = String(cache.items.size); table.dataset.synced = String(cache.synced); };
  const unsubscribe = cache.subscribe(mark);
  signal.addEventListener('abort', unsubscribe, {once: true});
}
