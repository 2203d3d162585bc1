// The data explorer: tables of the current account (status, items, size, keys, indexes, TTL,
// streams), create and delete a table, Scan and Query with a key condition builder, an index,
// a filter and pages, items as a table, and the item editor of items.js. Every call is a
// DynamoDB API request run as the signed-in principal, so its policies decide.

import { el, field, button, grid, link, section, confirmed } from './dom.js';
import { ddb } from './api.js';
import { show, itemEditor, keyOf } from './items.js';

async function listTables(ctx) {
  const names = [];
  let start;
  do {
    const body = start ? { ExclusiveStartTableName: start } : {};
    const r = await ddb('ListTables', body, ctx.account);
    names.push(...r.TableNames);
    start = r.LastEvaluatedTableName;
  } while (start);
  return names;
}

function keysText(schema) {
  return (schema || []).map((k) => k.AttributeName + (k.KeyType === 'HASH' ? ' (partition)' : ' (sort)')).join(', ');
}

function bytesText(n) {
  if (n === undefined) return '';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

export async function tables(ctx, root) {
  if (!ctx.account) throw new Error('Create an account first (Accounts page)');
  const names = await listTables(ctx);
  const rows = await Promise.all(names.map(async (name) => {
    const [d, ttl] = await Promise.all([
      ddb('DescribeTable', { TableName: name }, ctx.account).then((r) => r.Table).catch((e) => ({ TableName: name, TableStatus: e.code || 'error' })),
      ddb('DescribeTimeToLive', { TableName: name }, ctx.account).then((r) => r.TimeToLiveDescription).catch(() => null),
    ]);
    const indexes = [...(d.GlobalSecondaryIndexes || []).map((i) => i.IndexName + ' (GSI)'), ...(d.LocalSecondaryIndexes || []).map((i) => i.IndexName + ' (LSI)')];
    const stream = d.StreamSpecification && d.StreamSpecification.StreamEnabled ? d.StreamSpecification.StreamViewType : 'off';
    const ttlText = ttl && ttl.TimeToLiveStatus === 'ENABLED' ? ttl.AttributeName : 'off';
    return [link(name, 'table', name), d.TableStatus, String(d.ItemCount ?? ''), bytesText(d.TableSizeBytes), keysText(d.KeySchema), indexes.join(', '), ttlText, stream];
  }));
  root.append(el('h1', {}, 'Tables of ' + ctx.account),
    section('Tables', grid(['Table', 'Status', 'Items', 'Size', 'Keys', 'Indexes', 'TTL', 'Stream'], rows, { id: 'tables-table' })),
    createForm(ctx));
}

function createForm(ctx) {
  const name = el('input', { id: 'table-name', placeholder: 'Music' });
  const pk = el('input', { id: 'table-pk', placeholder: 'pk' });
  const pkType = typeSelect('table-pk-type');
  const sk = el('input', { id: 'table-sk', placeholder: '(optional)' });
  const skType = typeSelect('table-sk-type');
  return section('Create a table',
    el('div', { class: 'row' }, field('Name', name), field('Partition key', pk), pkType, field('Sort key', sk), skType),
    el('p', { class: 'muted' }, 'On-demand capacity. Indexes, TTL and streams can be set with the SDK or CLI.'),
    button('Create table', async () => {
      const defs = [{ AttributeName: pk.value.trim(), AttributeType: pkType.value }];
      const schema = [{ AttributeName: pk.value.trim(), KeyType: 'HASH' }];
      if (sk.value.trim()) {
        defs.push({ AttributeName: sk.value.trim(), AttributeType: skType.value });
        schema.push({ AttributeName: sk.value.trim(), KeyType: 'RANGE' });
      }
      await ctx.run(async () => {
        await ddb('CreateTable', { TableName: name.value.trim(), AttributeDefinitions: defs, KeySchema: schema, BillingMode: 'PAY_PER_REQUEST' }, ctx.account);
        ctx.go('#/table/' + encodeURIComponent(name.value.trim()));
      }, 'Table created.');
    }, { id: 'create-table', class: 'primary' }));
}

function typeSelect(id) {
  return el('select', { id, title: 'Type' }, [['S', 'String'], ['N', 'Number'], ['B', 'Binary']].map(([v, t]) => el('option', { value: v }, t)));
}

/** A typed attribute value from the text of a key field. */
function typed(type, text) {
  return { [type]: type === 'N' ? text.trim() : text };
}

export async function table(ctx, root, name) {
  const d = (await ddb('DescribeTable', { TableName: name }, ctx.account)).Table;
  const types = Object.fromEntries((d.AttributeDefinitions || []).map((a) => [a.AttributeName, a.AttributeType]));
  const keyNames = d.KeySchema.map((k) => k.AttributeName);
  const indexes = [
    ...(d.GlobalSecondaryIndexes || []).map((i) => ({ name: i.IndexName, schema: i.KeySchema })),
    ...(d.LocalSecondaryIndexes || []).map((i) => ({ name: i.IndexName, schema: i.KeySchema })),
  ];
  const editorHolder = el('div', { id: 'editor-holder' });
  const results = el('div', { id: 'results' });
  const reload = () => run(state.pages[state.pages.length - 1]);

  // The query form.
  const mode = el('select', { id: 'mode' }, el('option', { value: 'Scan' }, 'Scan'), el('option', { value: 'Query' }, 'Query'));
  const index = el('select', { id: 'index' }, el('option', { value: '' }, 'Table'), indexes.map((i) => el('option', { value: i.name }, i.name)));
  const pkName = el('span', { class: 'mono', id: 'pk-name' });
  const pkValue = el('input', { id: 'pk-value', placeholder: 'partition key value' });
  const skName = el('span', { class: 'mono', id: 'sk-name' });
  const skOp = el('select', { id: 'sk-op' }, ['', '=', '<', '<=', '>', '>=', 'begins_with', 'between'].map((o) => el('option', { value: o }, o || '(any)')));
  const skValue = el('input', { id: 'sk-value', placeholder: 'sort key value' });
  const skValue2 = el('input', { id: 'sk-value2', placeholder: 'and (between)' });
  const filter = el('input', { id: 'filter', placeholder: 'e.g. #a > :v  or  attribute_exists(price)', class: 'wide' });
  const filterNames = el('input', { id: 'filter-names', placeholder: '{"#a": "price"}', class: 'wide' });
  const filterValues = el('input', { id: 'filter-values', placeholder: '{":v": {"N": "10"}}', class: 'wide' });
  const limit = el('input', { id: 'limit', type: 'number', value: '25', min: '1', max: '1000' });
  const queryRow = el('div', { class: 'row', id: 'query-row' }, field('Partition key', el('span', {}, pkName, ' = ', pkValue)),
    field('Sort key', el('span', {}, skName, ' ', skOp, ' ', skValue, ' ', skValue2)));
  const schemaOf = () => (index.value ? indexes.find((i) => i.name === index.value).schema : d.KeySchema);
  const refreshForm = () => {
    const s = schemaOf();
    pkName.textContent = s[0].AttributeName;
    skName.textContent = s[1] ? s[1].AttributeName : '(none)';
    skOp.disabled = skValue.disabled = skValue2.disabled = !s[1];
    queryRow.hidden = mode.value !== 'Query';
  };
  mode.addEventListener('change', refreshForm);
  index.addEventListener('change', refreshForm);

  const state = { pages: [null], base: null };
  const request = () => {
    const body = { TableName: name, Limit: Number(limit.value) || 25 };
    if (index.value) body.IndexName = index.value;
    const names = {};
    const values = {};
    if (filter.value.trim()) {
      body.FilterExpression = filter.value.trim();
      if (filterNames.value.trim()) Object.assign(names, JSON.parse(filterNames.value));
      if (filterValues.value.trim()) Object.assign(values, JSON.parse(filterValues.value));
    }
    if (mode.value === 'Query') {
      const s = schemaOf();
      const pkAttr = s[0].AttributeName;
      names['#pk'] = pkAttr;
      values[':pk'] = typed(types[pkAttr] || 'S', pkValue.value);
      let cond = '#pk = :pk';
      if (s[1] && skOp.value) {
        const skAttr = s[1].AttributeName;
        const t = types[skAttr] || 'S';
        names['#sk'] = skAttr;
        values[':sk'] = typed(t, skValue.value);
        if (skOp.value === 'begins_with') cond += ' AND begins_with(#sk, :sk)';
        else if (skOp.value === 'between') { values[':sk2'] = typed(t, skValue2.value); cond += ' AND #sk BETWEEN :sk AND :sk2'; }
        else cond += ' AND #sk ' + skOp.value + ' :sk';
      }
      body.KeyConditionExpression = cond;
    }
    if (Object.keys(names).length) body.ExpressionAttributeNames = names;
    if (Object.keys(values).length) body.ExpressionAttributeValues = values;
    return body;
  };

  async function run(startKey) {
    let body;
    try { body = Object.assign(request(), startKey ? { ExclusiveStartKey: startKey } : {}); } catch (e) { ctx.flash('Filter names/values: ' + e.message, 'error'); return; }
    let r;
    try { r = await ddb(mode.value, body, ctx.account); } catch (e) { ctx.fail(e); results.replaceChildren(el('p', { class: 'error', id: 'results-error' }, (e.code ? e.code + ': ' : '') + e.message)); return; }
    const items = r.Items || [];
    const cols = [...keyNames];
    for (const it of items) for (const k of Object.keys(it)) if (!cols.includes(k)) cols.push(k);
    const rows = items.map((it) => [...cols.map((c) => el('span', { title: it[c] ? Object.keys(it[c])[0] : '' }, show(it[c]))),
      button('Edit', async () => {
        editorHolder.replaceChildren(itemEditor(ctx, name, keyNames, it, () => { editorHolder.replaceChildren(); reload(); }));
        editorHolder.scrollIntoView();
      }, { class: 'edit-item' })]);
    const pageNo = state.pages.length;
    results.replaceChildren(
      el('p', { class: 'muted', id: 'results-count' }, 'Page ' + pageNo + ': ' + r.Count + ' item(s)' + (r.ScannedCount !== r.Count ? ' of ' + r.ScannedCount + ' read' : '')),
      grid([...cols, ''], rows, { id: 'items-table' }),
      el('div', { class: 'row' },
        pageNo > 1 ? button('Previous page', async () => { state.pages.pop(); await run(state.pages[state.pages.length - 1]); }, { id: 'prev-page' }) : null,
        r.LastEvaluatedKey ? button('Next page', async () => { state.pages.push(r.LastEvaluatedKey); await run(r.LastEvaluatedKey); }, { id: 'next-page' }) : null));
  }

  const template = {};
  for (const k of keyNames) template[k] = { [types[k] || 'S']: types[k] === 'N' ? '0' : '' };
  const ttl = await ddb('DescribeTimeToLive', { TableName: name }, ctx.account).then((r) => r.TimeToLiveDescription).catch(() => null);
  root.append(el('h1', {}, 'Table ', el('span', { id: 'table-title' }, name)),
    el('p', { class: 'muted' }, d.TableStatus + ' · ' + (d.ItemCount ?? 0) + ' items · ' + bytesText(d.TableSizeBytes) + ' · keys: ' + keysText(d.KeySchema)
      + ' · TTL: ' + (ttl && ttl.TimeToLiveStatus === 'ENABLED' ? ttl.AttributeName : 'off')
      + ' · stream: ' + (d.StreamSpecification && d.StreamSpecification.StreamEnabled ? d.StreamSpecification.StreamViewType : 'off')),
    indexes.length ? el('p', { class: 'muted' }, 'Indexes: ' + indexes.map((i) => i.name + ' [' + keysText(i.schema) + ']').join('; ')) : '',
    section('Scan or query',
      el('div', { class: 'row' }, field('Operation', mode), field('Index', index), field('Limit', limit)),
      queryRow,
      el('div', { class: 'row' }, field('Filter', filter)),
      el('div', { class: 'row' }, field('Filter names', filterNames), field('Filter values', filterValues)),
      el('div', { class: 'row' },
        button('Run', async () => { state.pages = [null]; await run(null); }, { id: 'run', class: 'primary' }),
        button('New item', async () => { editorHolder.replaceChildren(itemEditor(ctx, name, keyNames, template, () => { editorHolder.replaceChildren(); reload(); })); }, { id: 'new-item' }),
        button('Delete table', async () => {
          if (!confirmed('Delete table ' + name + ' and all its items?')) return;
          await ctx.run(async () => { await ddb('DeleteTable', { TableName: name }, ctx.account); ctx.go('#/tables'); }, 'Table deleting.');
        }, { id: 'delete-table', class: 'danger' }))),
    editorHolder, results);
  refreshForm();
  await run(null);
}

export { keyOf };
