// One pod: summary, containers, conditions, events, live logs and an exec terminal.
import {h, labelled, section, table} from '../dom.js';
import {watchFor} from '../watch-cache.js';
import {del} from '../api.js';
import {objectPath, resources, yamlRoute} from '../resources.js';
import {age, podStatus, podReady, containerState} from '../format.js';
import {logPanel} from '../logs.js';
import {openTerminal} from '../terminal.js';
import {eventTime} from './overview.js';

export function podView(main, {ns, name}, signal) {
  const summary = h('div');
  const live = h('div');
  const logsHost = h('div');
  const terminalHost = h('div', {class: 'terminal-host'});
  const events = h('div');
  const message = h('p', {role: 'status', class: 'status'});
  main.append(h('h1', {}, 'Pod ', name), h('p', {class: 'muted'}, 'Namespace ', ns),
    h('div', {class: 'actions'},
      h('a', {class: 'button', href: yamlRoute('pods', {metadata: {namespace: ns, name}})}, 'YAML'),
      h('button', {type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete pod ${ns}/${name}?`)) return;
        try { await del(objectPath(resources.pods, ns, name)); message.textContent = 'Deleting…'; }
        catch (e) { message.textContent = 'Delete failed: ' + e.message; }
      }}, 'Delete')),
    message, summary, live, section('Events', events), section('Logs', logsHost), section('Terminal', terminalHost));

  let pod = null;
  let started = false;
  let logs = null;
  let containerIds = '';
  watchFor('pods', signal, (c) => {
    pod = c.get(ns + '/' + name);
    if (!pod) { summary.textContent = 'No pod with this name (yet, or any more).'; return; }
    renderPod(pod, summary, live);
    if (!started) {
      started = true;
      const names = pod.spec.containers.map((x) => x.name);
      logs = logPanel(ns, name, names, signal);
      logsHost.append(logs.element);
      terminalHost.append(terminalPanel(ns, name, names, signal));
    }
    const ids = (pod.status?.containerStatuses || []).map((s) => s.containerID + (s.state?.running ? '+' : '')).join();
    if (ids !== containerIds) { containerIds = ids; logs.containersChanged(); }
  });
  watchFor('events', signal, (c) => {
    const mine = c.list().filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject?.name === name && e.metadata.namespace === ns)
      .sort((a, b) => eventTime(b) - eventTime(a));
    events.replaceChildren(table('', ['Age', 'Type', 'Reason', 'Message'], mine.map((e) =>
      [age(new Date(eventTime(e)).toISOString()), e.type || '', e.reason || '', e.message || ''])));
  });
}

function renderPod(pod, summary, live) {
  const st = pod.status || {};
  summary.replaceChildren(h('dl', {class: 'facts'},
    h('dt', {}, 'Status'), h('dd', {dataset: {testid: 'pod-status'}}, podStatus(pod)),
    h('dt', {}, 'Ready'), h('dd', {}, podReady(pod)),
    h('dt', {}, 'Node'), h('dd', {}, pod.spec?.nodeName ? h('a', {href: '#/nodes/' + encodeURIComponent(pod.spec.nodeName)}, pod.spec.nodeName) : '–'),
    h('dt', {}, 'Pod IP'), h('dd', {}, st.podIP || '–'),
    h('dt', {}, 'QoS'), h('dd', {}, st.qosClass || '–'),
    h('dt', {}, 'Age'), h('dd', {}, age(pod.metadata.creationTimestamp))));
  const statuses = new Map((st.containerStatuses || []).map((c) => [c.name, c]));
  live.replaceChildren(
    section('Containers', table('', ['Name', 'Image', 'State', 'Ready', 'Restarts', 'Last state'],
      pod.spec.containers.map((c) => {
        const s = statuses.get(c.name);
        return [c.name, c.image, containerState(s), String(!!s?.ready), String(s?.restartCount || 0),
          s?.lastState && Object.keys(s.lastState).length ? containerState({state: s.lastState}) : '–'];
      }), {dataset: {testid: 'pod-containers'}})),
    section('Conditions', table('', ['Type', 'Status', 'Reason', 'Last transition'],
      (st.conditions || []).map((c) => [c.type, c.status, c.reason || '', age(c.lastTransitionTime)]))));
}

function terminalPanel(ns, pod, containers, signal) {
  const container = h('select', {}, containers.map((c) => h('option', {value: c}, c)));
  const command = h('input', {type: 'text', value: 'sh', class: 'narrow', spellcheck: 'false'});
  const open = h('button', {type: 'button', dataset: {testid: 'terminal-open'}}, 'Open terminal');
  const status = h('p', {class: 'status', role: 'status', dataset: {testid: 'terminal-status'}});
  const screen = h('div', {class: 'terminal', dataset: {testid: 'terminal'}, 'aria-label': 'Terminal'});
  let close = null;
  open.addEventListener('click', async () => {
    close?.();
    screen.replaceChildren();
    status.textContent = 'Connecting…';
    try {
      close = await openTerminal(screen, status, {ns, pod, container: container.value,
        command: command.value.trim().split(/\s+/).filter(Boolean)});
      open.textContent = 'Reconnect';
    } catch (e) { status.textContent = 'Failed: ' + e.message; }
  });
  signal.addEventListener('abort', () => close?.(), {once: true});
  return h('div', {}, h('div', {class: 'controls'}, labelled('Container', container), labelled('Command', command), open),
    status, screen);
}
