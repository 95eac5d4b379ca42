// A table that keeps only the visible rows in the DOM, so thousands of rows scroll smoothly.
// columns: [{title, width, cell(row) → node|text}]; rowKey(row) → string; rowAttrs(row) → attrs.
import {h} from './dom.js';

const ROW_HEIGHT = 34;
const OVERSCAN = 8;

export function virtualTable({label, testid, columns, rowAttrs = () => ({}), empty = 'Nothing to show'}) {
  const template = columns.map((c) => c.width || '1fr').join(' ');
  const header = h('div', {class: 'vt-row vt-head', role: 'row', style: {gridTemplateColumns: template}},
    columns.map((c) => h('div', {role: 'columnheader'}, c.title)));
  const spacer = h('div', {class: 'vt-spacer', role: 'rowgroup'});
  const scroller = h('div', {class: 'vt-scroll', tabindex: '0', 'aria-label': label + ' (scroll with arrow keys)'}, spacer);
  const emptyNote = h('p', {class: 'muted vt-empty'}, empty);
  const element = h('div', {class: 'vt', role: 'table', 'aria-label': label, dataset: {testid, rowCount: '0'}},
    h('div', {role: 'rowgroup'}, header), scroller, emptyNote);
  let rows = [];
  let framePending = false;

  function render() {
    framePending = false;
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const visible = [];
    for (let i = first; i < last; i++) {
      const row = rows[i];
      visible.push(h('div', {class: 'vt-row', role: 'row', 'aria-rowindex': i + 2, ...rowAttrs(row),
        style: {transform: `translateY(${i * ROW_HEIGHT}px)`, gridTemplateColumns: template}},
      columns.map((c) => h('div', {role: 'cell'}, c.cell(row)))));
    }
    spacer.replaceChildren(...visible);
  }

  function schedule() {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(render);
  }

  scroller.addEventListener('scroll', schedule, {passive: true});
  return {
    element,
    setRows(next) {
      rows = next;
      spacer.style.height = rows.length * ROW_HEIGHT + 'px';
      element.dataset.rowCount = String(rows.length);
      element.setAttribute('aria-rowcount', String(rows.length + 1));
      emptyNote.hidden = rows.length > 0;
      render();  // at once, not next frame: new rows show in the same task as the event
    },
    refresh: schedule,
  };
}
