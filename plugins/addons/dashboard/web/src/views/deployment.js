// One Deployment: rollout state, revisions, its pods, and scale/restart/undo/delete.
import {h, labelled, section, table} from '../dom.js';
import {watchFor} from '../watch-cache.js';
import {yamlRoute} from '../resources.js';
import {age, podStatus} from '../format.js';
import {scale, restart, undo, remove, revisionsOf, revisionNumber} from '../deployment-actions.js';

export function deploymentView(main, {ns, name}, signal) {
  const replicasInput = h('input', {type: 'number', class: 'narrow', min: '0', step: '1', inputmode: 'numeric', dataset: {testid: 'scale-input'}});
  const message = h('p', {role: 'status', class: 'status', dataset: {testid: 'action-status'}});
  const summary = h('div');
  const details = h('div');
  let deployment = null, replicaSets = [], pods = [];

  const act = (label, fn) => async () => {
    message.textContent = label + '…';
    try { message.textContent = await fn(); } catch (e) { message.textContent = `${label} failed: ${e.message}`; }
  };
  const scaleForm = h('form', {class: 'inline', onsubmit: (e) => { e.preventDefault(); doScale(); }},
    labelled('Replicas', replicasInput), h('button', {type: 'submit', dataset: {testid: 'scale-apply'}}, 'Scale'));
  const doScale = act('Scale', async () => {
    const replicas = Number(replicasInput.value);
    if (!Number.isInteger(replicas) || replicas < 0) throw new Error('replicas must be a whole number, 0 or more');
    await scale(ns, name, replicas);
    return `Scaled to ${replicas}.`;
  });
  main.append(h('h1', {}, 'Deployment ', name), h('p', {class: 'muted'}, 'Namespace ', ns),
    h('div', {class: 'actions'}, scaleForm,
      h('button', {type: 'button', dataset: {testid: 'restart'}, onclick: act('Restart', async () => { await restart(ns, name); return 'Rollout restarted.'; })}, 'Restart'),
      h('button', {type: 'button', dataset: {testid: 'undo'}, onclick: act('Undo', async () => `Rolled back to revision ${await undo(ns, name, replicaSets)}.`)}, 'Undo'),
      h('button', {type: 'button', class: 'danger', dataset: {testid: 'delete'}, onclick: act('Delete', async () => {
        if (!confirm(`Delete Deployment ${ns}/${name} and its pods?`)) return 'Not deleted.';
        await remove(ns, name);
        return 'Deleted.';
      })}, 'Delete'),
      h('a', {class: 'button', href: yamlRoute('deployments', {metadata: {namespace: ns, name}})}, 'Edit YAML')),
    message, summary, details);

  let filled = false;
  const render = () => {
    if (!deployment) { summary.textContent = 'No Deployment with this name (yet).'; details.replaceChildren(); return; }
    const s = deployment.status || {};
    if (!filled && document.activeElement !== replicasInput) { replicasInput.value = deployment.spec?.replicas ?? 1; filled = true; }
    summary.replaceChildren(h('dl', {class: 'facts'},
      h('dt', {}, 'Replicas'), h('dd', {dataset: {testid: 'deployment-replicas'}}, String(deployment.spec?.replicas ?? 0)),
      h('dt', {}, 'Ready'), h('dd', {}, String(s.readyReplicas || 0)),
      h('dt', {}, 'Up-to-date'), h('dd', {}, String(s.updatedReplicas || 0)),
      h('dt', {}, 'Available'), h('dd', {}, String(s.availableReplicas || 0)),
      h('dt', {}, 'Revision'), h('dd', {dataset: {testid: 'deployment-revision'}}, String(revisionNumber(deployment))),
      h('dt', {}, 'Progress'), h('dd', {}, (s.conditions || []).map((c) => `${c.type}=${c.status}${c.reason ? ' (' + c.reason + ')' : ''}`).join(', '))));
    const owned = revisionsOf(deployment, replicaSets);
    const rsNames = new Set(owned.map((r) => r.metadata.uid));
    const myPods = pods.filter((p) => (p.metadata.ownerReferences || []).some((o) => rsNames.has(o.uid)));
    details.replaceChildren(
      section('Revisions', table('', ['Revision', 'ReplicaSet', 'Desired', 'Ready', 'Image', 'Age'], owned.map((r) => [
        String(revisionNumber(r)), r.metadata.name, String(r.spec?.replicas ?? 0), String(r.status?.readyReplicas || 0),
        (r.spec?.template?.spec?.containers || []).map((c) => c.image).join(', '), age(r.metadata.creationTimestamp)]))),
      section('Pods', table('', ['Name', 'Status', 'Node', 'Age'], myPods.map((p) => [
        h('a', {href: `#/pods/${encodeURIComponent(ns)}/${encodeURIComponent(p.metadata.name)}`}, p.metadata.name),
        podStatus(p), p.spec?.nodeName || '', age(p.metadata.creationTimestamp)]))));
  };
  watchFor('deployments', signal, (c) => { deployment = c.get(ns + '/' + name); render(); });
  watchFor('replicasets', signal, (c) => { replicaSets = c.list().filter((r) => r.metadata.namespace === ns); render(); });
  watchFor('pods', signal, (c) => { pods = c.list().filter((p) => p.metadata.namespace === ns); render(); });
}
