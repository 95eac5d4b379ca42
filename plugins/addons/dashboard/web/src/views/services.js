// Services and how they are reached: Endpoints, EndpointSlices, Ingresses.
import {listView} from '../list-view.js';

const ports = (s) => (s.spec?.ports || []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol || 'TCP'}`).join(', ');
const addresses = (e) => (e.subsets || []).flatMap((s) => (s.addresses || []).flatMap((a) =>
  (s.ports || [{}]).map((p) => a.ip + (p.port ? ':' + p.port : '')))).join(', ') || '<none>';

const specs = {
  services: {title: 'Services', resKey: 'services', label: 'services', columns: [
    {title: 'Type', width: '7rem', cell: (s) => s.spec?.type || 'ClusterIP'},
    {title: 'Cluster IP', width: '8rem', cell: (s) => s.spec?.clusterIP || ''},
    {title: 'External IP', width: '8rem', cell: (s) => (s.status?.loadBalancer?.ingress || []).map((i) => i.ip || i.hostname).join(', ')},
    {title: 'Ports', width: 'minmax(6rem, 1fr)', cell: ports},
  ]},
  endpoints: {title: 'Endpoints', resKey: 'endpoints', label: 'endpoints', testid: 'endpoints', columns: [
    {title: 'Endpoints', width: 'minmax(10rem, 3fr)', cell: addresses},
  ]},
  endpointslices: {title: 'EndpointSlices', resKey: 'endpointslices', label: 'endpoint slices', columns: [
    {title: 'Type', width: '5rem', cell: (e) => e.addressType || ''},
    {title: 'Ports', width: '1fr', cell: (e) => (e.ports || []).map((p) => p.port).join(', ')},
    {title: 'Endpoints', width: 'minmax(10rem, 2fr)', cell: (e) => (e.endpoints || []).flatMap((x) => x.addresses).join(', ')},
  ]},
  ingresses: {title: 'Ingresses', resKey: 'ingresses', label: 'ingresses', columns: [
    {title: 'Class', width: '6rem', cell: (i) => i.spec?.ingressClassName || ''},
    {title: 'Hosts', width: 'minmax(8rem, 2fr)', cell: (i) => (i.spec?.rules || []).map((r) => r.host || '*').join(', ')},
    {title: 'Address', width: '8rem', cell: (i) => (i.status?.loadBalancer?.ingress || []).map((x) => x.ip || x.hostname).join(', ')},
  ]},
};

export function servicesView(main, {kind = 'services'}, signal) {
  const tabs = Object.entries(specs).map(([key, s]) => ({key, title: s.title, route: '#/services/' + key}));
  listView(main, signal, {heading: 'Services and networking', tabs, current: kind, spec: specs[kind] || specs.services});
}
