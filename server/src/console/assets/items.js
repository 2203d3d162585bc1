// Items in DynamoDB's JSON (attribute values with their types: {"S": "x"}, {"N": "1"}, …):
// shown as text in a results table, edited as typed JSON and saved with PutItem.

import { el, button } from './dom.js';
import { ddb } from './api.js';

/** A short text of an attribute value. */
export function show(av) {
  if (av === undefined || av === null) return '';
  const [type, v] = Object.entries(av)[0] || ['', ''];
  switch (type) {
    case 'S': case 'N': case 'B': return String(v);
    case 'BOOL': return v ? 'true' : 'false';
    case 'NULL': return 'null';
    case 'SS': case 'NS': case 'BS': return '{' + v.join(', ') + '}';
    case 'L': return '[' + v.map(show).join(', ') + ']';
    case 'M': return '{' + Object.entries(v).map(([k, x]) => k + ': ' + show(x)).join(', ') + '}';
    default: return JSON.stringify(av);
  }
}

/** What is wrong with an item's typed JSON ('' when nothing). */
export function itemProblem(text, keyNames) {
  let item;
  try { item = JSON.parse(text); } catch (e) { return 'Not valid JSON: ' + e.message; }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'An item is a JSON object of attributes';
  const types = ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'];
  for (const [name, av] of Object.entries(item)) {
    if (av === null || typeof av !== 'object' || Object.keys(av).length !== 1 || !types.includes(Object.keys(av)[0])) {
      return 'Attribute ' + name + ' must be a typed value such as {"S": "text"} or {"N": "1"}';
    }
  }
  for (const k of keyNames) if (!(k in item)) return 'The item needs its key attribute ' + k;
  return '';
}

/** The key of `item` under `keyNames`. */
export function keyOf(item, keyNames) {
  const key = {};
  for (const k of keyNames) key[k] = item[k];
  return key;
}

/** An editor of `item` in `table`; `done()` after a save or delete. */
export function itemEditor(ctx, table, keyNames, item, done) {
  const area = el('textarea', { id: 'item-json', rows: 14, class: 'code', spellcheck: 'false' });
  area.value = JSON.stringify(item, null, 2);
  const note = el('p', { class: 'muted', id: 'item-note' }, 'DynamoDB JSON: every value with its type. Saving replaces the whole item (PutItem).');
  const original = item && keyNames.every((k) => k in item) ? keyOf(item, keyNames) : null;
  return el('div', { class: 'editor card', id: 'item-editor' },
    el('h3', {}, original ? 'Edit item' : 'New item'), area, note,
    el('div', { class: 'row' },
      button('Save item', async () => {
        const problem = itemProblem(area.value, keyNames);
        if (problem) { note.textContent = problem; note.className = 'error'; return; }
        const next = JSON.parse(area.value);
        await ctx.run(async () => {
          await ddb('PutItem', { TableName: table, Item: next }, ctx.account);
          const moved = original && JSON.stringify(keyOf(next, keyNames)) !== JSON.stringify(original);
          if (moved && window.confirm('The key changed: delete the item under the old key?')) {
            await ddb('DeleteItem', { TableName: table, Key: original }, ctx.account);
          }
          done();
        }, 'Item saved.');
      }, { id: 'item-save', class: 'primary' }),
      original ? button('Delete item', async () => {
        if (!window.confirm('Delete this item?')) return;
        await ctx.run(async () => { await ddb('DeleteItem', { TableName: table, Key: original }, ctx.account); done(); }, 'Item deleted.');
      }, { id: 'item-delete', class: 'danger' }) : null,
      button('Cancel', async () => { area.closest('#item-editor').remove(); })));
}
