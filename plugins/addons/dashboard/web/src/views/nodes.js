// Nodes: the list with readiness and usage; a node's page with conditions, resources,
// taints, its pods, and cordon/uncordon.
import {h, section, table} from '../dom.js';
import {listView} from '../list-view.js';
import {watchFor} from '../watch-cache.js';
import {mergePatch} from '../api.js';
import {objectPath, resources, yamlRoute} from '../resources.js';
import {nodeReady, quantity, cpu, bytes, percent, age, podStatus} from '../format.js';
import {followMetrics} from '../metrics.js';

const roles = (n) => Object.keys(n.metadata.labels || {}).filter((k) => k.startsWith('node-role.kubernetes.io/'))
  .map((k) => k.split('/')[1]).join(',') || '<none>';

export function nodesView(main, _params, signal) {
  let metrics = null;
  const status = (n) => (nodeReady(n) ? 'Ready' : 'NotReady') + (n.spec?.unschedulable ? ',SchedulingDisabled' : '');
  const usage = (n, key, fmt) => {
    const used = quantity(metrics?.get(n.metadata.name)?.usage?.[key]);
    return metrics ? `${fmt(used)} (${percent(used, quantity(n.status?.allocatable?.[key]))})` : '–';
  };
  const {table: t} = listView(main, signal, {heading: 'Nodes', spec: {
    resKey: 'nodes', label: 'nodes', link: (n) => '#/nodes/' + encodeURIComponent(n.metadata.name),
    columns: [
      {title: 'Status', width: '1fr', cell: status},
      {title: 'Roles', width: '1fr', cell: roles},
      {title: 'CPU', width: '1fr', cell: (n) => usage(n, 'cpu', cpu)},
      {title: 'Memory', width: '1fr', cell: (n) => usage(n, 'memory', bytes)},
      {title: 'Version', width: '1fr', cell: (n) => n.status?.nodeInfo?.kubeletVersion || ''},
    ]}});
  followMetrics('/nodes', signal, (m) => { metrics = m; t.refresh(); });
}

export function nodeView(main, {name}, signal) {
  const cordon = h('button', {type: 'button', dataset: {testid: 'cordon-toggle'}}, 'Cordon');
  const message = h('p', {role: 'status', class: 'status'});
  const body = h('div');
  main.append(h('h1', {}, 'Node ', name), h('p', {class: 'actions'}, cordon,
    h('a', {class: 'button', href: yamlRoute('nodes', {metadata: {name}})}, 'YAML')), message, body);
  let node = null;
  let metrics = null;
  let pods = [];
  cordon.addEventListener('click', async () => {
    const unschedulable = !node?.spec?.unschedulable;
    cordon.disabled = true;
    try {
      await mergePatch(objectPath(resources.nodes, '', name), {spec: {unschedulable}});
      message.textContent = unschedulable ? 'Cordoned: no new pods will be scheduled here.' : 'Uncordoned.';
    } catch (e) {
      message.textContent = 'Could not change the node: ' + e.message;
    } finally { cordon.disabled = false; }
  });
  const render = () => {
    if (!node) { body.textContent = 'No node named ' + name + ' (yet).'; return; }
    cordon.textContent = node.spec?.unschedulable ? 'Uncordon' : 'Cordon';
    body.replaceChildren(...nodeSections(node, metrics?.get(name), pods));
  };
  watchFor('nodes', signal, (c) => { node = c.get(name); render(); });
  watchFor('pods', signal, (c) => { pods = c.list().filter((p) => p.spec?.nodeName === name); render(); });
  followMetrics('/nodes', signal, (m) => { metrics = m; render(); });
}

function nodeSections(node, usage, pods) {
  const st = node.status || {};
  const resourceRow = (key, fmt) => [key, fmt(quantity(st.capacity?.[key])), fmt(quantity(st.allocatable?.[key])),
    usage ? `${fmt(quantity(usage.usage?.[key]))} (${percent(quantity(usage.usage?.[key]), quantity(st.allocatable?.[key]))})` : '–'];
  return [
    section('Conditions', table('', ['Type', 'Status', 'Reason', 'Message', 'Last transition'],
      (st.conditions || []).map((c) => [c.type, c.status, c.reason || '', c.message || '', age(c.lastTransitionTime)]),
      {dataset: {testid: 'node-conditions'}})),
    section('Resources', table('', ['Resource', 'Capacity', 'Allocatable', 'Usage'],
      [resourceRow('cpu', cpu), resourceRow('memory', bytes), resourceRow('pods', String)])),
    section('Taints', table('', ['Key', 'Value', 'Effect'],
      (node.spec?.taints || []).map((t) => [t.key, t.value || '', t.effect]))),
    section('Addresses and system', table('', ['Field', 'Value'], [
      ...(st.addresses || []).map((a) => [a.type, a.address]),
      ['OS image', st.nodeInfo?.osImage || ''], ['Kubelet', st.nodeInfo?.kubeletVersion || ''],
      ['Container runtime', st.nodeInfo?.containerRuntimeVersion || ''], ['Age', age(node.metadata.creationTimestamp)]])),
    section(`Pods (${pods.length})`, table('', ['Name', 'Namespace', 'Status', 'Age'],
      pods.map((p) => [h('a', {href: `#/pods/${encodeURIComponent(p.metadata.namespace)}/${encodeURIComponent(p.metadata.name)}`}, p.metadata.name),
        p.metadata.namespace, podStatus(p), age(p.metadata.creationTimestamp)]))),
  ];
}
