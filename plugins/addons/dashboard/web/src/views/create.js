// Create objects from YAML: one document is POSTed as YAML to its collection (the API's field
// errors then point at its lines); several (`---`) are created in order, as kubectl create -f
// does, stopping at the first the API refuses.
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
  const create = h('button', {type: 'button', disabled: true, dataset: {testid: 'yaml-create'}}, 'Create');
  main.append(h('h1', {}, 'Create'),
    h('p', {}, 'Objects in YAML (several separated by ', h('code', {}, '---'), '); without metadata.namespace they go to ',
      h('code', {}, ns), '.'),
    h('div', {class: 'actions'}, create), status, editor.element);
  const yaml = await loadYaml();
  create.disabled = false;  // a click before the parser is there would do nothing

  create.addEventListener('click', async () => {
    editor.clearErrors();
    let doc;
    try {
      const docs = yaml.loadAll(editor.value).filter((d) => d != null);
      if (docs.length > 1) return createAll(docs, ns, status);
      doc = docs[0];
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

// Several documents, in order; the first refusal stops the rest and says which it was.
async function createAll(docs, ns, status) {
  const created = [];
  for (const [i, doc] of docs.entries()) {
    const which = `document ${i + 1} of ${docs.length}`;
    if (!doc.apiVersion || !doc.kind) {
      status.textContent = `Created ${created.length} of ${docs.length}: ${which} needs apiVersion and kind.`;
      return;
    }
    status.textContent = `Creating ${which}…`;
    try {
      const resource = resourceForKind(doc.apiVersion, doc.kind);
      const made = await post(collectionPath(resource, doc.metadata?.namespace || ns), doc);
      created.push(`${doc.kind} ${made.metadata?.name}`);
    } catch (e) {
      status.textContent = `Created ${created.length} of ${docs.length}: ${which} (${doc.kind}) was refused: ${e.message}`;
      return;
    }
  }
  status.textContent = `Created ${created.join(', ')}.`;
}
