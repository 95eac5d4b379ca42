// Create an object from YAML (one document): POSTed as YAML to its collection.
import {h} from '../dom.js';
import {post} from '../api.js';
import {collectionPath, resourceForKind, resources, yamlRoute} from '../resources.js';
import {filters} from '../filters.js';
import {yamlEditor, loadYaml} from '../yaml-editor.js';

const example = (ns) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
        - name: hello
          image: busybox
          command: ["sh", "-c", "while true; do echo hello; sleep 5; done"]
`;

export async function createView(main, _params, _signal) {
  const ns = filters().namespace || 'default';
  const editor = yamlEditor({label: 'YAML of the new object', value: example(ns)});
  const status = h('p', {class: 'status', role: 'status', dataset: {testid: 'yaml-status'}});
  const create = h('button', {type: 'button', dataset: {testid: 'yaml-create'}}, 'Create');
  main.append(h('h1', {}, 'Create'),
    h('p', {}, 'One object in YAML; without metadata.namespace it goes to ', h('code', {}, ns), '.'),
    h('div', {class: 'actions'}, create), status, editor.element);
  const yaml = await loadYaml();

  create.addEventListener('click', async () => {
    editor.clearErrors();
    let doc;
    try {
      doc = yaml.load(editor.value);
      if (!doc?.apiVersion || !doc?.kind) throw Object.assign(new Error('the YAML needs apiVersion and kind'), {line: 0});
    } catch (e) {
      status.textContent = 'Not created: the YAML does not parse.';
      editor.showError({message: e.reason || e.message, line: e.mark ? e.mark.line : e.line ?? -1});
      return;
    }
    const resource = resourceForKind(doc.apiVersion, doc.kind);
    const namespace = doc.metadata?.namespace || ns;
    status.textContent = 'Creating…';
    try {
      const created = await post(collectionPath(resource, namespace), editor.value, {contentType: 'application/yaml'});
      status.textContent = `Created ${doc.kind} ${created.metadata?.name}.`;
      const key = Object.keys(resources).find((k) => resources[k].kind === doc.kind && resources[k].group === resource.group);
      if (key) location.hash = yamlRoute(key, created);
    } catch (e) {
      status.textContent = 'Not created.';
      editor.showError(e);
    }
  });
}
