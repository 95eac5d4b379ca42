// Building DOM nodes without innerHTML, so API text can never become markup.

// h('a', {href: '#/x', class: 'c', dataset: {testid: 'x'}, onclick: f}, 'text', child, [more])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) setAttr(el, key, value);
  append(el, children);
  return el;
}

function setAttr(el, key, value) {
  if (value === undefined || value === null || value === false) return;
  if (key === 'class') el.className = value;
  else if (key === 'dataset') Object.assign(el.dataset, value);
  else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
  else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
  else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'hidden') el[key] = value;
  else el.setAttribute(key, value === true ? '' : String(value));
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// A labelled form control: <label for=id>text</label> + the control.
let nextId = 0;
export function labelled(text, control, attrs = {}) {
  if (!control.id) control.id = 'f' + (++nextId);
  return h('span', {class: 'field', ...attrs}, h('label', {for: control.id}, text), control);
}

// A plain accessible table from rows of cells (cells may be nodes or text).
export function table(caption, headers, rows, attrs = {}) {
  return h('table', attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.length ? rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))
      : h('tr', {}, h('td', {colspan: headers.length, class: 'muted'}, 'None'))));
}

export function section(title, ...children) {
  return h('section', {'aria-label': title}, h('h2', {}, title), ...children);
}
