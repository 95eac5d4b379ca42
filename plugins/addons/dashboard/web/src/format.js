// Ages, Kubernetes quantities and pod status as kubectl shows them.
export function age(timestamp, now = Date.now()) {
  if (!timestamp) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return s + 's';
  if (s < 7200) return Math.floor(s / 60) + 'm';
  if (s < 172800) return Math.floor(s / 3600) + 'h';
  return Math.floor(s / 86400) + 'd';
}

const SUFFIX = {n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6};

// '250m' → 0.25, '1Gi' → 1073741824; NaN when not a quantity.
export function quantity(text) {
  if (text === undefined || text === null) return NaN;
  const m = /^([+-]?[0-9.]+(?:e[+-]?\d+)?)([a-zA-Z]*)$/.exec(String(text).trim());
  if (!m || !(m[2] in SUFFIX)) return NaN;
  return parseFloat(m[1]) * SUFFIX[m[2]];
}

export function cpu(cores) {
  if (!isFinite(cores)) return '–';
  return cores < 1 ? Math.round(cores * 1000) + 'm' : cores.toFixed(cores < 10 ? 2 : 0);
}

export function bytes(n) {
  if (!isFinite(n)) return '–';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (n < 10 && i ? n.toFixed(1) : Math.round(n)) + units[i];
}

export const percent = (part, whole) => (whole > 0 && isFinite(part) ? Math.round((100 * part) / whole) + '%' : '–');

export function nodeReady(node) {
  return (node.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
}

// kubectl's STATUS column: the most telling reason of the pod or its containers.
export function podStatus(pod) {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let status = pod.status?.reason || pod.status?.phase || 'Unknown';
  for (const c of pod.status?.initContainerStatuses || []) {
    if (c.state?.terminated?.exitCode === 0) continue;
    if (c.state?.waiting?.reason || c.state?.terminated) return 'Init:' + (c.state.waiting?.reason || c.state.terminated.reason || 'Error');
  }
  for (const c of pod.status?.containerStatuses || []) {
    const reason = c.state?.waiting?.reason || c.state?.terminated?.reason;
    if (reason) status = reason;
  }
  return status;
}

export function podReady(pod) {
  const statuses = pod.status?.containerStatuses || [];
  const total = pod.spec?.containers?.length || statuses.length;
  return `${statuses.filter((c) => c.ready).length}/${total}`;
}

export const podRestarts = (pod) => (pod.status?.containerStatuses || []).reduce((n, c) => n + (c.restartCount || 0), 0);

export function containerState(c) {
  if (!c) return 'Not created yet';
  const s = c.state || {};
  if (s.running) return 'Running since ' + new Date(s.running.startedAt).toLocaleString();
  if (s.waiting) return 'Waiting: ' + (s.waiting.reason || '') + (s.waiting.message ? ' – ' + s.waiting.message : '');
  if (s.terminated) return `Terminated: ${s.terminated.reason || ''} (exit ${s.terminated.exitCode})`;
  return 'Unknown';
}
