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

// Annotations the rollout machinery owns: an undo keeps the Deployment's own (as kubectl).
const KEPT_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION,
  'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to']);

// The revision's annotations on the Deployment, as kubectl rollout undo sets them.
function annotationsAfterUndo(deployment, replicaSet) {
  const out = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations || {})) if (KEPT_ANNOTATIONS.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(replicaSet.metadata.annotations || {})) if (!KEPT_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

// Roll back to the newest revision before the current one: its pod template goes into the
// Deployment (without the pod-template-hash label the ReplicaSet controller added), and its
// annotations with it.
export async function undo(ns, name, replicaSets) {
  const deployment = await get(path(ns, name));
  const current = revisionNumber(deployment);
  const previous = revisionsOf(deployment, replicaSets).find((rs) => revisionNumber(rs) < current);
  if (!previous) throw new Error('there is no earlier revision to roll back to');
  const template = structuredClone(previous.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  deployment.spec.template = template;
  deployment.metadata.annotations = annotationsAfterUndo(deployment, previous);
  await put(path(ns, name), deployment);
  return revisionNumber(previous);
}

export function remove(ns, name) {
  return del(path(ns, name), {body: {propagationPolicy: 'Foreground'}});
}
