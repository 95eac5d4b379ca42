// Overview: nodes Ready/total, pods by phase, cluster CPU/memory use, recent warnings.
import {h, section, table} from '../dom.js';
import {watchFor} from '../watch-cache.js';
import {nodeReady, quantity, cpu, bytes, percent, age} from '../format.js';
import {followMetrics} from '../metrics.js';

const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];

export function overviewView(main, _params, signal) {
  const nodesReady = h('p', {class: 'big', dataset: {testid: 'overview-nodes-ready'}}, '…');
  const phaseCells = Object.fromEntries(PHASES.map((p) => [p, h('dd', {dataset: {testid: 'overview-pods-' + p.toLowerCase()}}, '0')]));
  const usage = h('div', {dataset: {testid: 'overview-usage'}, hidden: true});
  const warnings = h('div', {dataset: {testid: 'overview-warnings'}});
  main.append(h('h1', {}, 'Overview'),
    h('div', {class: 'cards'},
      h('section', {class: 'card', 'aria-labelledby': 'ov-nodes'}, h('h2', {id: 'ov-nodes'}, h('a', {href: '#/nodes'}, 'Nodes Ready')), nodesReady),
      h('section', {class: 'card', 'aria-labelledby': 'ov-pods'}, h('h2', {id: 'ov-pods'}, h('a', {href: '#/pods'}, 'Pods by phase')),
        h('dl', {class: 'phases'}, PHASES.map((p) => [h('dt', {}, p), phaseCells[p]]))),
      h('section', {class: 'card', 'aria-labelledby': 'ov-usage'}, h('h2', {id: 'ov-usage'}, 'CPU and memory'), usage,
        h('p', {class: 'muted', dataset: {testid: 'overview-no-metrics'}}, 'No metrics (metrics.k8s.io is not served, or has no samples yet).'))),
    section('Recent warnings', warnings));

  let allocatable = {cpu: 0, memory: 0};
  let metrics = null;
  const renderUsage = () => {
    main.querySelector('[data-testid=overview-no-metrics]').hidden = !!metrics;
    usage.hidden = !metrics;
    if (!metrics) return;
    let usedCpu = 0, usedMemory = 0;
    for (const m of metrics.values()) { usedCpu += quantity(m.usage?.cpu); usedMemory += quantity(m.usage?.memory); }
    usage.replaceChildren(h('dl', {class: 'phases'},
      h('dt', {}, 'CPU'), h('dd', {dataset: {testid: 'overview-cpu'}}, `${cpu(usedCpu)} of ${cpu(allocatable.cpu)} (${percent(usedCpu, allocatable.cpu)})`),
      h('dt', {}, 'Memory'), h('dd', {dataset: {testid: 'overview-memory'}}, `${bytes(usedMemory)} of ${bytes(allocatable.memory)} (${percent(usedMemory, allocatable.memory)})`)));
  };
  watchFor('nodes', signal, (c) => {
    const all = c.list();
    nodesReady.textContent = `${all.filter(nodeReady).length}/${all.length}`;
    allocatable = all.reduce((sum, n) => ({cpu: sum.cpu + quantity(n.status?.allocatable?.cpu),
      memory: sum.memory + quantity(n.status?.allocatable?.memory)}), {cpu: 0, memory: 0});
    renderUsage();
  });
  watchFor('pods', signal, (c) => {
    const counts = Object.fromEntries(PHASES.map((p) => [p, 0]));
    for (const pod of c.items.values()) counts[pod.status?.phase in counts ? pod.status.phase : 'Unknown']++;
    for (const p of PHASES) phaseCells[p].textContent = String(counts[p]);
  });
  watchFor('events', signal, (c) => {
    const recent = c.list().filter((e) => e.type === 'Warning')
      .sort((a, b) => eventTime(b) - eventTime(a)).slice(0, 10);
    warnings.replaceChildren(table('', ['Age', 'Object', 'Reason', 'Message'], recent.map((e) => [
      age(new Date(eventTime(e)).toISOString()), `${e.involvedObject?.kind}/${e.involvedObject?.name}`, e.reason || '', e.message || ''])));
  });
  followMetrics('/nodes', signal, (m) => { metrics = m?.size ? m : null; renderUsage(); });
}

export function eventTime(e) {
  return Date.parse(e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp) || 0;
}
