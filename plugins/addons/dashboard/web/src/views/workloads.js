// Workloads: Deployments (with rollout state and revision), ReplicaSets, DaemonSets,
// StatefulSets, Jobs, CronJobs, each a live list under a tab.
import {listView} from '../list-view.js';

const revision = (o) => o.metadata.annotations?.['deployment.kubernetes.io/revision'] || '';
const n = (v) => String(v ?? 0);

const specs = {
  deployments: {title: 'Deployments', resKey: 'deployments', label: 'deployments',
    link: (d) => `#/workloads/deployments/${encodeURIComponent(d.metadata.namespace)}/${encodeURIComponent(d.metadata.name)}`,
    columns: [
      {title: 'Ready', width: '5rem', cell: (d) => `${n(d.status?.readyReplicas)}/${n(d.spec?.replicas)}`},
      {title: 'Up-to-date', width: '7rem', cell: (d) => n(d.status?.updatedReplicas)},
      {title: 'Available', width: '6rem', cell: (d) => n(d.status?.availableReplicas)},
      {title: 'Revision', width: '5rem', cell: revision},
    ]},
  replicasets: {title: 'ReplicaSets', resKey: 'replicasets', label: 'replica sets', columns: [
    {title: 'Desired', width: '5rem', cell: (r) => n(r.spec?.replicas)},
    {title: 'Ready', width: '5rem', cell: (r) => n(r.status?.readyReplicas)},
    {title: 'Revision', width: '5rem', cell: revision},
    {title: 'Owner', width: '1fr', cell: (r) => r.metadata.ownerReferences?.[0]?.name || ''},
  ]},
  daemonsets: {title: 'DaemonSets', resKey: 'daemonsets', label: 'daemon sets', columns: [
    {title: 'Desired', width: '5rem', cell: (d) => n(d.status?.desiredNumberScheduled)},
    {title: 'Ready', width: '5rem', cell: (d) => n(d.status?.numberReady)},
    {title: 'Up-to-date', width: '7rem', cell: (d) => n(d.status?.updatedNumberScheduled)},
  ]},
  statefulsets: {title: 'StatefulSets', resKey: 'statefulsets', label: 'stateful sets', columns: [
    {title: 'Ready', width: '5rem', cell: (s) => `${n(s.status?.readyReplicas)}/${n(s.spec?.replicas)}`},
  ]},
  jobs: {title: 'Jobs', resKey: 'jobs', label: 'jobs', columns: [
    {title: 'Completions', width: '6rem', cell: (j) => `${n(j.status?.succeeded)}/${n(j.spec?.completions ?? 1)}`},
    {title: 'Active', width: '5rem', cell: (j) => n(j.status?.active)},
    {title: 'Failed', width: '5rem', cell: (j) => n(j.status?.failed)},
  ]},
  cronjobs: {title: 'CronJobs', resKey: 'cronjobs', label: 'cron jobs', columns: [
    {title: 'Schedule', width: '8rem', cell: (c) => c.spec?.schedule || ''},
    {title: 'Suspend', width: '5rem', cell: (c) => String(!!c.spec?.suspend)},
    {title: 'Active', width: '5rem', cell: (c) => String(c.status?.active?.length || 0)},
  ]},
};

export function workloadsView(main, {kind = 'deployments'}, signal) {
  const spec = specs[kind] || specs.deployments;
  const tabs = Object.entries(specs).map(([key, s]) => ({key, title: s.title, route: '#/workloads/' + key}));
  listView(main, signal, {heading: 'Workloads', tabs, current: kind, spec});
}
