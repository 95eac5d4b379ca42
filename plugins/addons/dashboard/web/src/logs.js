// A container's log, streamed (follow) into a <pre>; the stream stops when the view goes.
import {h, labelled} from './dom.js';
import {streamLines} from './api.js';

const MAX_LINES = 5000;

export function logPanel(ns, pod, containers, signal) {
  const container = h('select', {dataset: {testid: 'log-container'}}, containers.map((c) => h('option', {value: c}, c)));
  const follow = h('input', {type: 'checkbox', checked: true, dataset: {testid: 'log-follow'}});
  const previous = h('input', {type: 'checkbox', dataset: {testid: 'log-previous'}});
  const tail = h('input', {type: 'number', min: '0', value: '500', class: 'narrow', dataset: {testid: 'log-tail'}});
  const output = h('pre', {class: 'log', tabindex: '0', 'aria-label': 'Log output', 'aria-live': 'off', dataset: {testid: 'log-output'}});
  const state = h('p', {class: 'status', role: 'status', dataset: {testid: 'log-state'}});
  let stream = null;
  let ended = false;
  let networkRetries = 0;

  function start() {
    stream?.abort();
    stream = new AbortController();
    signal.addEventListener('abort', () => stream.abort(), {once: true});
    output.textContent = '';
    const query = new URLSearchParams({container: container.value, follow: String(follow.checked),
      previous: String(previous.checked)});
    if (tail.value !== '') query.set('tailLines', tail.value);
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log?${query}`;
    state.textContent = follow.checked ? 'Following…' : 'Loading…';
    const mine = stream;
    ended = false;
    streamLines(path, (line) => appendLine(line), mine.signal)
      .then(() => { if (!mine.signal.aborted) { ended = true; state.textContent = 'The log ended.'; } })
      .catch((e) => {
        if (mine.signal.aborted) return;
        ended = true;
        state.textContent = 'Log unavailable: ' + e.message;
        // A dropped connection (not an answer of the API): follow again from the tail.
        if (e instanceof TypeError && follow.checked && networkRetries++ < 5) setTimeout(() => { if (!mine.signal.aborted) start(); }, 1000);
      });
  }

  function appendLine(line) {
    const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    output.append(line + '\n');
    while (output.childNodes.length > MAX_LINES) output.firstChild.remove();
    if (atBottom) output.scrollTop = output.scrollHeight;
  }

  for (const control of [container, follow, previous]) control.addEventListener('change', start);
  tail.addEventListener('change', start);
  start();
  const element = h('div', {class: 'logs'},
    h('div', {class: 'controls'}, labelled('Container', container), labelled('Follow', follow, {class: 'field check'}),
      labelled('Previous instance', previous, {class: 'field check'}), labelled('Last lines', tail)),
    state, output);
  // The pod's containers changed (started, restarted): a log that had ended starts again.
  return {element, containersChanged() { if (ended && follow.checked) start(); }};
}
