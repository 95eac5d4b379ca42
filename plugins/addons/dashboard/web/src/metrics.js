// metrics.k8s.io, when the cluster serves it. It has no watch, so views re-read it on a timer;
// 404/503 mean no metrics: the views hide usage.
import {get} from './api.js';

const REFRESH_MS = 15000;

export async function readMetrics(path) {
  try {
    const list = await get('/apis/metrics.k8s.io/v1beta1' + path);
    return new Map((list.items || []).map((m) => [(m.metadata.namespace ? m.metadata.namespace + '/' : '') + m.metadata.name, m]));
  } catch {
    return null;
  }
}

// Calls fn(map|null) now and every REFRESH_MS until signal aborts.
export function followMetrics(path, signal, fn) {
  const tick = async () => { const m = await readMetrics(path); if (!signal.aborted) fn(m); };
  tick();
  const timer = setInterval(tick, REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer), {once: true});
}
