// An object's YAML: view, edit and save (PUT of the YAML text; errors shown at the field).
import {h, append} from '../dom.js';
import {get, put} from '../api.js';
import {resources, objectPath} from '../resources.js';
import {yamlEditor, loadYaml} from '../yaml-editor.js';

export async function yamlView(main, {res, ns = '', name}, signal) {
  const resource = resources[res];
  if (!resource) { main.textContent = `Unknown resource "${res}".`; return; }
  const path = objectPath(resource, ns, name);
  const editor = yamlEditor({label: `YAML of ${resource.kind} ${name}`});
  const status = h('p', {class: 'status', role: 'status', dataset: {testid: 'yaml-status'}});
  const save = h('button', {type: 'button', dataset: {testid: 'yaml-save'}}, 'Save');
  const reload = h('button', {type: 'button', dataset: {testid: 'yaml-reload'}}, 'Reload');
  append(main, [h('h1', {}, resource.kind, ' ', name), ns ? h('p', {class: 'muted'}, 'Namespace ', ns) : null,
    h('div', {class: 'actions'}, save, reload), status, editor.element]);
  const yaml = await loadYaml();

  async function load() {
    status.textContent = 'Loading…';
    const obj = await get(path, {signal});
    delete obj.metadata.managedFields;
    editor.value = yaml.dump(obj, {lineWidth: -1, noRefs: true});
    editor.clearErrors();
    status.textContent = `Loaded at resourceVersion ${obj.metadata.resourceVersion}. Edit and Save to replace the object.`;
  }
  save.addEventListener('click', async () => {
    editor.clearErrors();
    status.textContent = 'Saving…';
    try {
      const saved = await put(path, editor.value, {contentType: 'application/yaml'});
      status.textContent = `Saved: resourceVersion ${saved.metadata?.resourceVersion}.`;
      delete saved.metadata?.managedFields;
      editor.value = yaml.dump(saved, {lineWidth: -1, noRefs: true});
    } catch (e) {
      status.textContent = 'Not saved.';
      editor.showError(e);
    }
  });
  reload.addEventListener('click', () => load().catch((e) => { status.textContent = 'Could not load: ' + e.message; }));
  try { await load(); } catch (e) { status.textContent = 'Could not load: ' + e.message; }
}
