// Finds the line of a field path (as the API names it in Status causes, e.g.
// "spec.template.spec.containers[0].image") in block-style YAML text. Best effort: when a
// segment is missing, the line of the deepest segment found.

export function parsePath(path) {
  const segments = [];
  for (const part of path.match(/[^.[\]]+|\[[^\]]*\]/g) || []) {
    if (part.startsWith('[')) {
      const inner = part.slice(1, -1);
      segments.push(/^\d+$/.test(inner) ? Number(inner) : inner);
    } else segments.push(part);
  }
  return segments;
}

function describe(text) {
  return text.split('\n').map((raw) => {
    const trimmed = raw.trimStart();
    if (!trimmed || trimmed.startsWith('#') || trimmed === '---') return null;
    const lead = raw.length - trimmed.length;
    const dashes = /^(- +)+/.exec(trimmed);
    const keyStart = lead + (dashes ? dashes[0].length : 0);
    const key = /^("[^"]*"|'[^']*'|[^:#]+?):(\s|$)/.exec(raw.slice(keyStart));
    return {start: lead, dash: dashes ? lead : -1, keyIndent: keyStart,
      key: key ? key[1].replace(/^["']|["']$/g, '') : null};
  });
}

// The 0-based line of path in text, or -1 when not even the first segment is there.
export function lineOfPath(text, path) {
  const lines = describe(text);
  let lo = 0, hi = lines.length, found = -1, ownerIndent = -1;
  for (const segment of parsePath(path)) {
    const range = [];
    for (let i = lo; i < hi; i++) if (lines[i]) range.push(i);
    if (typeof segment === 'number') {
      const dashIndent = Math.min(...range.filter((i) => lines[i].dash >= 0).map((i) => lines[i].dash));
      const items = range.filter((i) => lines[i].dash === dashIndent);
      if (segment >= items.length) break;
      found = items[segment];
      lo = items[segment];
      hi = segment + 1 < items.length ? items[segment + 1] : hi;
      ownerIndent = -1;  // the item's keys start on its dash line
      continue;
    }
    const keyed = range.filter((i) => lines[i].key !== null && lines[i].keyIndent > ownerIndent);
    if (!keyed.length) break;
    const indent = Math.min(...keyed.map((i) => lines[i].keyIndent));
    const at = keyed.find((i) => lines[i].keyIndent === indent && lines[i].key === segment);
    if (at === undefined) break;
    found = at;
    ownerIndent = lines[at].keyIndent;
    lo = at + 1;
    hi = blockEnd(lines, at + 1, hi, ownerIndent);
  }
  return found;
}

// The block under a key ends at the first line indented no deeper than the key, except a
// list item at the key's own indent ("containers:\n- name: a" is valid YAML).
function blockEnd(lines, from, hi, keyIndent) {
  for (let i = from; i < hi; i++) {
    const l = lines[i];
    if (!l) continue;
    if (l.start < keyIndent || (l.start === keyIndent && l.dash !== keyIndent)) return i;
  }
  return hi;
}
