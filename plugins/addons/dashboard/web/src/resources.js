// The API resources the UI shows, and their URLs.
const core = (plural, kind, namespaced = true) => ({group: '', version: 'v1', plural, kind, namespaced});
const grouped = (group, version, plural, kind, namespaced = true) => ({group, version, plural, kind, namespaced});

export const resources = {
  namespaces: core('namespaces', 'Namespace', false),
  nodes: core('nodes', 'Node', false),
  pods: core('pods', 'Pod'),
  services: core('services', 'Service'),
  endpoints: core('endpoints', 'Endpoints'),
  configmaps: core('configmaps', 'ConfigMap'),
  secrets: core('secrets', 'Secret'),
  events: core('events', 'Event'),
  deployments: grouped('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: grouped('apps', 'v1', 'replicasets', 'ReplicaSet'),
  daemonsets: grouped('apps', 'v1', 'daemonsets', 'DaemonSet'),
  statefulsets: grouped('apps', 'v1', 'statefulsets', 'StatefulSet'),
  jobs: grouped('batch', 'v1', 'jobs', 'Job'),
  cronjobs: grouped('batch', 'v1', 'cronjobs', 'CronJob'),
  endpointslices: grouped('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  ingresses: grouped('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
};

export function groupPrefix(res) {
  return res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
}

export function collectionPath(res, namespace = '') {
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(res)}${ns}/${res.plural}`;
}

export function objectPath(res, namespace, name) {
  return `${collectionPath(res, namespace)}/${encodeURIComponent(name)}`;
}

// The resource for a manifest's apiVersion and kind (the create page).
export function resourceForKind(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const res of Object.values(resources)) {
    if (res.kind === kind && res.group === group) return {...res, version};
  }
  // Not one the UI lists: guess the plural the way most kinds form it.
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('s') ? lower + 'es' : lower.endsWith('y') ? lower.slice(0, -1) + 'ies' : lower + 's';
  return {group, version, plural, kind, namespaced: true};
}

export const keyOf = (obj) => (obj.metadata.namespace ? obj.metadata.namespace + '/' : '') + obj.metadata.name;

// The hash route of an object's YAML page.
export function yamlRoute(resKey, obj) {
  const ns = obj.metadata.namespace;
  return ns ? `#/yaml/${resKey}/${encodeURIComponent(ns)}/${encodeURIComponent(obj.metadata.name)}`
    : `#/yaml/${resKey}/${encodeURIComponent(obj.metadata.name)}`;
}
