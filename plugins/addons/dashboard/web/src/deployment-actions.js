// Deployment actions as kubectl does them: scale, rollout restart, rollout undo, delete.
import {get, put, del, mergePatch} from './api.js';
import {objectPath, resources} from './resources.js';

const REVISION = 'deployment.kubernetes.io/revision';
const path = (ns, name) => objectPath(resources.deployments, ns, name);

export function scale(ns, name, replicas) {
  return mergePatch(path(ns, name) + '/scale', {spec: {replicas}});
}

export function restart(ns, name) {
  return mergePatch(path(ns, name), {spec: {template: {metadata: {annotations: {
    'kubectl.kubernetes.io/restartedAt': new Date().toISOString()}}}}});
}

// The Deployment's ReplicaSets, newest revision first.
export function revisionsOf(deployment, replicaSets) {
  return replicaSets
    .filter((rs) => (rs.metadata.ownerReferences || []).some((o) => o.uid === deployment.metadata.uid))
    .sort((a, b) => revisionNumber(b) - revisionNumber(a));
}

export const revisionNumber = (o) => Number(o.metadata.annotations?.[REVISION] || 0);

// Roll back to the newest revision before the current one: its pod template goes into the
// Deployment (without the pod-template-hash label the ReplicaSet controller added).
export async function undo(ns, name, replicaSets) {
  const deployment = await get(path(ns, name));
  const current = revisionNumber(deployment);
  const previous = revisionsOf(deployment, replicaSets).find((rs) => revisionNumber(rs) < current);
  if (!previous) throw new Error('there is no earlier revision to roll back to');
  const template = structuredClone(previous.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  deployment.spec.template = template;
  await put(path(ns, name), deployment);
  return revisionNumber(previous);
}

export function remove(ns, name) {
  return del(path(ns, name), {body: {propagationPolicy: 'Foreground'}});
}
