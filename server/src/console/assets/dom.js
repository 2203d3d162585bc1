// Building the page: elements are made with createElement and text goes in as text nodes, never
// as HTML, so any name, policy or item value shows as typed (a script tag in a name is just text).

/** An element `tag` with attributes (`on<event>` adds a listener) and children. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

/** Appends children (nodes, strings, arrays; null and false skipped). */
export function append(parent, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

/** A labelled input row. */
export function field(label, input) {
  return el('label', { class: 'field' }, el('span', {}, label), input);
}

/** A button running `action` (an async function); errors are shown by `onError`. */
export function button(text, action, attrs) {
  const b = el('button', Object.assign({ type: 'button' }, attrs || {}), text);
  b.addEventListener('click', async (ev) => {
    ev.preventDefault();
    b.disabled = true;
    try { await action(); } finally { b.disabled = false; }
  });
  return b;
}

/** A table of `rows` (arrays of cells: nodes or text) under `headers`. */
export function grid(headers, rows, attrs) {
  return el('table', Object.assign({ class: 'grid' }, attrs || {}),
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.length
      ? rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))
      : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'None'))));
}

/** A link to a console page (`#/…`); the parts are URI-encoded. */
export function link(text, ...parts) {
  return el('a', { href: '#/' + parts.map(encodeURIComponent).join('/') }, text);
}

/** A titled section. */
export function section(title, ...children) {
  return el('section', { class: 'card' }, el('h2', {}, title), children);
}

/** Asks before a destructive action. */
export function confirmed(what) {
  return window.confirm(what);
}
