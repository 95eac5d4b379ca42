// A YAML text editor that shows the API's errors where they belong: the Status message above,
// each cause's message on the line of its field (highlighted, with the message beside it).
import {h} from './dom.js';
import {lineOfPath} from './yaml-path.js';

let yamlModule = null;
export async function loadYaml() {
  yamlModule ??= import('../vendor/js-yaml.mjs');
  return yamlModule;
}

export function yamlEditor({label, value = ''}) {
  const textarea = h('textarea', {class: 'yaml-text', spellcheck: 'false', wrap: 'off', autocapitalize: 'off',
    dataset: {testid: 'yaml-editor'}, 'aria-label': label, 'aria-describedby': 'yaml-errors'});
  const backdrop = h('pre', {class: 'yaml-backdrop', 'aria-hidden': 'true'});
  const gutter = h('pre', {class: 'yaml-gutter', 'aria-hidden': 'true'});
  const message = h('div', {class: 'error', role: 'alert', dataset: {testid: 'yaml-error'}, hidden: true});
  const causes = h('ul', {class: 'field-errors', id: 'yaml-errors'});
  let marks = new Map();  // line → messages

  function paint() {
    const lines = textarea.value.split('\n');
    gutter.textContent = lines.map((_, i) => String(i + 1)).join('\n');
    backdrop.replaceChildren(...lines.map((line, i) => {
      if (!marks.has(i)) return line + '\n';
      return h('mark', {}, line, h('span', {class: 'inline-error'}, '   ← ' + marks.get(i).join('; ')), '\n');
    }));
    syncScroll();
  }
  function syncScroll() {
    backdrop.scrollTop = gutter.scrollTop = textarea.scrollTop;
    backdrop.scrollLeft = textarea.scrollLeft;
  }
  function selectLine(line) {
    const lines = textarea.value.split('\n');
    const start = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    textarea.focus();
    textarea.setSelectionRange(start, start + lines[line].length);
    textarea.scrollTop = Math.max(0, line * 20 - textarea.clientHeight / 2);
    syncScroll();
  }

  textarea.addEventListener('input', () => { if (marks.size) { marks = new Map(); } paint(); });
  textarea.addEventListener('scroll', syncScroll);
  textarea.value = value;

  const element = h('div', {class: 'yaml-editor'}, message, causes,
    h('div', {class: 'yaml-frame'}, gutter, h('div', {class: 'yaml-area'}, backdrop, textarea)));
  paint();

  return {
    element, textarea,
    get value() { return textarea.value; },
    set value(text) { textarea.value = text; marks = new Map(); paint(); },
    clearErrors() { marks = new Map(); message.hidden = true; causes.replaceChildren(); paint(); },
    // error: an ApiError (Status with details.causes) or {message, line} from the YAML parser
    showError(error) {
      this.clearErrors();
      message.textContent = error.message;
      message.hidden = false;
      const list = error.causes?.length ? error.causes : (error.line >= 0 ? [{field: '', message: error.message, line: error.line}] : []);
      for (const cause of list) {
        const line = cause.line ?? (cause.field ? lineOfPath(textarea.value, cause.field) : -1);
        const text = cause.message || cause.reason || 'invalid';
        if (line >= 0) marks.set(line, [...(marks.get(line) || []), text]);
        causes.append(h('li', {dataset: {testid: 'field-error', field: cause.field || '', line: String(line + 1)}},
          line >= 0 ? h('button', {type: 'button', class: 'link', onclick: () => selectLine(line)}, `line ${line + 1}`) : null,
          line >= 0 ? ' ' : '', cause.field ? h('code', {}, cause.field) : null, cause.field ? ': ' : '', text));
      }
      paint();
    },
  };
}
