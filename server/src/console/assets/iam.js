// The guide's pages: dashboard, accounts, users (keys, policies, tags, groups), groups, roles,
// inline policies with a JSON editor, runtime settings. Every change is a management API call;
// what a caller may do is the API's answer, shown as it comes.

import { el, field, button, grid, link, section, confirmed } from './dom.js';
import { mgmt, p } from './api.js';

/** The default template of a new inline policy in `account`. */
export function policyTemplate(account) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
      Resource: 'arn:aws:dynamodb:*:' + account + ':table/*',
    }],
  }, null, 2);
}

/** The default trust policy of a new role in `account`. */
export function trustTemplate(account) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::' + account + ':root' }, Action: 'sts:AssumeRole' }],
  }, null, 2);
}

/** What is wrong with a policy document's text before it is sent ('' when nothing). */
export function policyProblem(text) {
  let doc;
  try { doc = JSON.parse(text); } catch (e) { return 'Not valid JSON: ' + e.message; }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return 'A policy is a JSON object';
  if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') return 'Version must be "2012-10-17"';
  const st = doc.Statement;
  const list = Array.isArray(st) ? st : (st && typeof st === 'object' ? [st] : null);
  if (!list || list.length === 0) return 'Statement must be a statement or a non-empty list of them';
  for (const [i, s] of list.entries()) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return 'Statement ' + (i + 1) + ': Effect must be Allow or Deny';
    if (!s.Action && !s.NotAction) return 'Statement ' + (i + 1) + ': needs Action or NotAction';
  }
  return '';
}

/** A JSON editor: validates, pretty-prints, then calls `save(text)`. */
export function policyEditor(ctx, { name, text, nameEditable, save, id }) {
  const nameInput = el('input', { id: (id || 'policy') + '-name', value: name || '', disabled: !nameEditable, placeholder: 'PolicyName' });
  const area = el('textarea', { id: (id || 'policy') + '-document', rows: 14, spellcheck: 'false', class: 'code' });
  area.value = text;
  const note = el('p', { class: 'muted', id: (id || 'policy') + '-note' }, 'The document is checked before it is saved.');
  const check = () => {
    const problem = policyProblem(area.value);
    note.textContent = problem || 'Valid JSON policy.';
    note.className = problem ? 'error' : 'ok';
    return problem;
  };
  return el('div', { class: 'editor' },
    field('Policy name', nameInput), area, note,
    el('div', { class: 'row' },
      button('Validate', async () => { check(); }, { id: (id || 'policy') + '-validate' }),
      button('Save', async () => {
        if (check()) return;
        const pretty = JSON.stringify(JSON.parse(area.value), null, 2);
        area.value = pretty;
        await ctx.run(() => save(nameInput.value.trim(), pretty), 'Policy saved.');
      }, { id: (id || 'policy') + '-save', class: 'primary' })));
}

function needAccount(ctx) {
  if (!ctx.account) throw new Error('Create an account first (Accounts page)');
  return ctx.account;
}

export async function dashboard(ctx, root) {
  const [accounts, admins] = await Promise.all([mgmt.all('/accounts'), mgmt.all('/admins')]);
  const counts = ctx.account ? await Promise.all(['users', 'groups', 'roles'].map((k) =>
    mgmt.all(p('accounts', ctx.account, k)).then((l) => l.length).catch(() => '?'))) : ['-', '-', '-'];
  root.append(el('h1', {}, 'Dashboard'),
    el('div', { class: 'stats' },
      stat('Accounts', accounts.length, 'stat-accounts'), stat('Admins', admins.length, 'stat-admins'),
      stat('Users in ' + (ctx.account || '-'), counts[0]), stat('Groups', counts[1]), stat('Roles', counts[2])),
    section('Accounts', grid(['Account', 'Name', 'Created'],
      accounts.map((a) => [link(a.account_id, 'account', a.account_id), a.account_name, a.created]))),
    section('Admin users', grid(['Name', 'Created'], admins.map((a) => [a.admin_name, a.created]))));
}

function stat(label, value, id) {
  return el('div', { class: 'stat', id }, el('div', { class: 'value' }, String(value)), el('div', { class: 'muted' }, label));
}

export async function accounts(ctx, root) {
  const list = await mgmt.all('/accounts');
  const name = el('input', { id: 'account-name', placeholder: 'Account name' });
  const id = el('input', { id: 'account-id', placeholder: '12 digits (optional)' });
  root.append(el('h1', {}, 'Accounts'),
    section('Create an account', el('div', { class: 'row' }, field('Name', name), field('Id', id),
      button('Create account', async () => {
        await ctx.run(async () => {
          const body = { account_name: name.value };
          if (id.value.trim()) body.account_id = id.value.trim();
          const a = await mgmt.post('/accounts', body);
          ctx.setAccount(a.account_id);
          await ctx.reloadAccounts();
          ctx.go('#/account/' + a.account_id);
          ctx.flash('Account ' + a.account_id + ' created.');
        });
      }, { id: 'create-account', class: 'primary' }))),
    section('Accounts', grid(['Account', 'Name', 'Created', ''], list.map((a) => [
      link(a.account_id, 'account', a.account_id), el('span', { class: 'account-name' }, a.account_name), a.created,
      button('Delete', async () => {
        if (!confirmed('Delete account ' + a.account_id + '?')) return;
        await ctx.run(async () => { await mgmt.del(p('accounts', a.account_id)); await ctx.reloadAccounts(); ctx.go('#/accounts'); }, 'Account deleted.');
      }, { class: 'danger' })]), { id: 'accounts-table' })));
}

export async function account(ctx, root, id) {
  const a = await mgmt.get(p('accounts', id));
  if (ctx.account !== id) { ctx.setAccount(id); const s = document.getElementById('account-picker'); if (s) s.value = id; }
  const [users, groups, roles] = await Promise.all(['users', 'groups', 'roles'].map((k) => mgmt.all(p('accounts', id, k))));
  root.append(el('h1', {}, 'Account ', el('span', { id: 'account-title' }, a.account_name)),
    el('p', { class: 'muted' }, a.account_id + ' · created ' + a.created),
    section('Users', grid(['User'], users.map((u) => [link(u.user_name, 'user', id, u.user_name)]))),
    section('Groups', grid(['Group'], groups.map((g) => [link(g.group_name, 'group', id, g.group_name)]))),
    section('Roles', grid(['Role'], roles.map((r) => [link(r.role_name, 'role', id, r.role_name)]))));
}

export async function users(ctx, root) {
  const acct = needAccount(ctx);
  const list = await mgmt.all(p('accounts', acct, 'users'));
  const name = el('input', { id: 'user-name', placeholder: 'alice' });
  const password = el('input', { id: 'user-password', type: 'password', placeholder: 'optional console password', autocomplete: 'new-password' });
  root.append(el('h1', {}, 'Users of ' + acct),
    section('Create a user', el('div', { class: 'row' }, field('User name', name), field('Console password', password),
      button('Create user', async () => {
        await ctx.run(async () => {
          const body = { user_name: name.value.trim(), tags: [] };
          if (password.value) body.password = password.value;
          await mgmt.post(p('accounts', acct, 'users'), body);
          password.value = '';
          ctx.go('#/user/' + encodeURIComponent(acct) + '/' + encodeURIComponent(body.user_name));
        }, 'User created.');
      }, { id: 'create-user', class: 'primary' }))),
    section('Users', grid(['User', 'ARN', 'Console password', 'Created', ''], list.map((u) => [
      link(u.user_name, 'user', acct, u.user_name), u.arn, u.has_password ? 'yes' : 'no', u.created,
      button('Delete', async () => {
        if (!confirmed('Delete user ' + u.user_name + ' with its keys and policies?')) return;
        await ctx.run(async () => { await mgmt.del(p('accounts', acct, 'users', u.user_name)); ctx.go('#/users'); }, 'User deleted.');
      }, { class: 'danger' })]), { id: 'users-table' })));
}

/** The signed-in IAM user's own page. */
export async function me(ctx, root) {
  return user(ctx, root, ctx.who.account_id, ctx.who.name);
}

export async function user(ctx, root, acct, name) {
  const base = p('accounts', acct, 'users', name);
  const u = await mgmt.get(base);
  const admin = ctx.isAdmin();
  const [keys, policies, tags, groups] = await Promise.all([
    mgmt.all(base + '/access-keys'),
    mgmt.all(base + '/policies').catch((e) => e),
    mgmt.get(base + '/tags').catch((e) => e),
    mgmt.all(base + '/groups').catch((e) => e),
  ]);
  const reload = () => ctx.go('#/user/' + encodeURIComponent(acct) + '/' + encodeURIComponent(name) + '?' + Date.now());
  root.append(el('h1', {}, 'User ', el('span', { id: 'user-title' }, u.user_name)),
    el('p', { class: 'muted' }, u.arn + ' · ' + u.user_id + ' · created ' + u.created + ' · console password: ' + (u.has_password ? 'yes' : 'no')));

  // Access keys: the secret is shown once, in the answer to the create.
  const secretBox = el('div', { id: 'new-key' });
  root.append(section('Access keys', secretBox,
    button('Create access key', async () => {
      await ctx.run(async () => {
        const k = await mgmt.post(base + '/access-keys');
        secretBox.replaceChildren(el('div', { class: 'secret' },
          el('strong', {}, 'New access key — the secret is shown only now; copy it.'),
          el('dl', {}, el('dt', {}, 'Access key id'), el('dd', { id: 'new-key-id' }, k.access_key_id),
            el('dt', {}, 'Secret access key'), el('dd', { id: 'new-key-secret' }, k.secret_access_key)),
          button('Done', async () => reload())));
      });
    }, { id: 'create-key', class: 'primary' }),
    grid(['Access key id', 'Status', 'Created', ''], keys.map((k) => [k.access_key_id, k.status, k.created,
      el('span', {},
        button(k.status === 'Active' ? 'Deactivate' : 'Activate', async () => {
          await ctx.run(async () => { await mgmt.put(base + '/access-keys/' + encodeURIComponent(k.access_key_id) + '/status', { status: k.status === 'Active' ? 'Inactive' : 'Active' }); reload(); });
        }),
        button('Delete', async () => {
          if (!confirmed('Delete access key ' + k.access_key_id + '?')) return;
          await ctx.run(async () => { await mgmt.del(base + '/access-keys/' + encodeURIComponent(k.access_key_id)); reload(); }, 'Access key deleted.');
        }, { class: 'danger' }))]), { id: 'keys-table' })));

  root.append(policiesSection(ctx, base, policies, admin, acct, reload));

  // Tags.
  if (tags instanceof Error) root.append(section('Tags', el('p', { class: 'error' }, tags.message)));
  else {
    const key = el('input', { id: 'tag-key', placeholder: 'key' });
    const value = el('input', { id: 'tag-value', placeholder: 'value' });
    root.append(section('Tags', grid(['Key', 'Value', ''], tags.tags.map((t) => [t.key, t.value,
      admin ? button('Remove', async () => { await ctx.run(async () => { await mgmt.del(base + '/tags?keys=' + encodeURIComponent(t.key)); reload(); }); }) : '']), { id: 'tags-table' }),
    admin ? el('div', { class: 'row' }, field('Key', key), field('Value', value), button('Add tag', async () => {
      await ctx.run(async () => { await mgmt.post(base + '/tags', { tags: [{ key: key.value, value: value.value }] }); reload(); }, 'Tag saved.');
    }, { id: 'add-tag' })) : null));
  }

  // Group memberships.
  if (groups instanceof Error) root.append(section('Groups', el('p', { class: 'error' }, groups.message)));
  else {
    let adder = null;
    if (admin) {
      const all = await mgmt.all(p('accounts', acct, 'groups')).catch(() => []);
      const select = el('select', { id: 'add-group-name' }, all.filter((g) => !groups.some((m) => m.group_name === g.group_name))
        .map((g) => el('option', { value: g.group_name }, g.group_name)));
      adder = el('div', { class: 'row' }, select, button('Add to group', async () => {
        if (!select.value) return;
        await ctx.run(async () => { await mgmt.put(p('accounts', acct, 'groups', select.value, 'members', u.user_name)); reload(); }, 'Added.');
      }, { id: 'add-to-group' }));
    }
    root.append(section('Groups', grid(['Group', ''], groups.map((g) => [link(g.group_name, 'group', acct, g.group_name),
      admin ? button('Remove', async () => { await ctx.run(async () => { await mgmt.del(p('accounts', acct, 'groups', g.group_name, 'members', u.user_name)); reload(); }); }) : ''])), adder));
  }
}

/** Inline policies of an owner at `base`: list, view, edit (admins), delete (admins). */
function policiesSection(ctx, base, policies, admin, acct, reload) {
  if (policies instanceof Error) return section('Inline policies', el('p', { class: 'error' }, policies.message));
  const holder = el('div', { id: 'policy-editor-holder' });
  const open = (name, text, nameEditable) => holder.replaceChildren(policyEditor(ctx, {
    name, text, nameEditable, id: 'policy',
    save: async (n, doc) => { await mgmt.put(base + '/policies/' + encodeURIComponent(n), { policy_document: doc }); reload(); },
  }));
  return section('Inline policies',
    grid(['Policy', 'Document', ''], policies.map((pol) => [pol.policy_name,
      el('pre', { class: 'code small' }, prettyJson(pol.policy_document)),
      admin ? el('span', {},
        button('Edit', async () => open(pol.policy_name, prettyJson(pol.policy_document), false)),
        button('Delete', async () => {
          if (!confirmed('Delete policy ' + pol.policy_name + '?')) return;
          await ctx.run(async () => { await mgmt.del(base + '/policies/' + encodeURIComponent(pol.policy_name)); reload(); }, 'Policy deleted.');
        }, { class: 'danger' })) : '']), { id: 'policies-table' }),
    admin ? button('Add inline policy', async () => open('', policyTemplate(acct), true), { id: 'add-policy' }) : null,
    holder);
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
}

export async function groups(ctx, root) {
  const acct = needAccount(ctx);
  const list = await mgmt.all(p('accounts', acct, 'groups'));
  const name = el('input', { id: 'group-name', placeholder: 'developers' });
  root.append(el('h1', {}, 'Groups of ' + acct),
    section('Create a group', el('div', { class: 'row' }, field('Group name', name), button('Create group', async () => {
      await ctx.run(async () => { await mgmt.post(p('accounts', acct, 'groups'), { group_name: name.value.trim() }); ctx.go('#/group/' + encodeURIComponent(acct) + '/' + encodeURIComponent(name.value.trim())); }, 'Group created.');
    }, { id: 'create-group', class: 'primary' }))),
    section('Groups', grid(['Group', 'ARN', 'Created', ''], list.map((g) => [link(g.group_name, 'group', acct, g.group_name), g.arn, g.created,
      button('Delete', async () => {
        if (!confirmed('Delete group ' + g.group_name + '?')) return;
        await ctx.run(async () => { await mgmt.del(p('accounts', acct, 'groups', g.group_name)); ctx.go('#/groups'); }, 'Group deleted.');
      }, { class: 'danger' })]))));
}

export async function group(ctx, root, acct, name) {
  const base = p('accounts', acct, 'groups', name);
  const [detail, policies, users] = await Promise.all([mgmt.get(base), mgmt.all(base + '/policies').catch((e) => e), mgmt.all(p('accounts', acct, 'users'))]);
  const reload = () => ctx.go('#/group/' + encodeURIComponent(acct) + '/' + encodeURIComponent(name) + '?' + Date.now());
  const select = el('select', { id: 'member-name' }, users.filter((u) => !detail.members.includes(u.user_name)).map((u) => el('option', { value: u.user_name }, u.user_name)));
  root.append(el('h1', {}, 'Group ', el('span', { id: 'group-title' }, detail.group_name)),
    el('p', { class: 'muted' }, detail.arn + ' · created ' + detail.created),
    section('Members', grid(['User', ''], detail.members.map((m) => [link(m, 'user', acct, m),
      button('Remove', async () => { await ctx.run(async () => { await mgmt.del(base + '/members/' + encodeURIComponent(m)); reload(); }); })]), { id: 'members-table' }),
    el('div', { class: 'row' }, select, button('Add member', async () => {
      if (!select.value) return;
      await ctx.run(async () => { await mgmt.put(base + '/members/' + encodeURIComponent(select.value)); reload(); }, 'Member added.');
    }, { id: 'add-member' }))),
    policiesSection(ctx, base, policies, true, acct, reload));
}

export async function roles(ctx, root) {
  const acct = needAccount(ctx);
  const list = await mgmt.all(p('accounts', acct, 'roles'));
  const name = el('input', { id: 'role-name', placeholder: 'data-reader' });
  const trust = el('textarea', { id: 'role-trust', rows: 8, class: 'code', spellcheck: 'false' });
  trust.value = trustTemplate(acct);
  root.append(el('h1', {}, 'Roles of ' + acct),
    section('Create a role', field('Role name', name), el('p', { class: 'muted' }, 'Trust policy (who may assume the role):'), trust,
      button('Create role', async () => {
        const problem = policyProblem(trust.value);
        if (problem) { ctx.flash(problem, 'error'); return; }
        await ctx.run(async () => { await mgmt.post(p('accounts', acct, 'roles'), { role_name: name.value.trim(), trust_policy: trust.value, tags: [] }); ctx.go('#/role/' + encodeURIComponent(acct) + '/' + encodeURIComponent(name.value.trim())); }, 'Role created.');
      }, { id: 'create-role', class: 'primary' })),
    section('Roles', grid(['Role', 'ARN', 'Created', ''], list.map((r) => [link(r.role_name, 'role', acct, r.role_name), r.arn, r.created,
      button('Delete', async () => {
        if (!confirmed('Delete role ' + r.role_name + '?')) return;
        await ctx.run(async () => { await mgmt.del(p('accounts', acct, 'roles', r.role_name)); ctx.go('#/roles'); }, 'Role deleted.');
      }, { class: 'danger' })]))));
}

export async function role(ctx, root, acct, name) {
  const base = p('accounts', acct, 'roles', name);
  const [r, policies] = await Promise.all([mgmt.get(base), mgmt.all(base + '/policies').catch((e) => e)]);
  const reload = () => ctx.go('#/role/' + encodeURIComponent(acct) + '/' + encodeURIComponent(name) + '?' + Date.now());
  const trust = el('textarea', { id: 'trust-policy', rows: 10, class: 'code', spellcheck: 'false' });
  trust.value = prettyJson(r.trust_policy);
  root.append(el('h1', {}, 'Role ', el('span', { id: 'role-title' }, r.role_name)),
    el('p', { class: 'muted' }, r.arn + ' · ' + r.role_id + ' · created ' + r.created),
    section('Trust policy', trust, button('Save trust policy', async () => {
      const problem = policyProblem(trust.value);
      if (problem) { ctx.flash(problem, 'error'); return; }
      await ctx.run(() => mgmt.put(base + '/trust-policy', { trust_policy: trust.value }), 'Trust policy saved.');
    }, { id: 'save-trust' })),
    section('Tags', grid(['Key', 'Value'], r.tags.map((t) => [t.key, t.value]))),
    policiesSection(ctx, base, policies, true, acct, reload));
}

export async function settings(ctx, root) {
  root.append(el('h1', {}, 'Runtime settings'));
  let list;
  try {
    list = await mgmt.all('/settings');
  } catch (e) {
    root.append(el('p', { class: 'muted', id: 'settings-denied' }, 'The management API does not show you the runtime settings: ' + e.message));
    return;
  }
  const admin = ctx.isAdmin();
  root.append(el('p', { class: 'muted' }, admin ? 'Changes take effect on every server within the settings poll interval.' : 'Read-only.'),
    grid(['Setting', 'Value', 'Default', 'What', ''], list.map((s) => {
      const input = el('input', { value: s.value, disabled: !admin, 'data-setting': s.name });
      return [s.name, input, s.default, s.help, admin ? button('Set', async () => {
        await ctx.run(() => mgmt.put('/settings/' + encodeURIComponent(s.name), { value: input.value }), s.name + ' set.');
      }) : ''];
    }), { id: 'settings-table' }));
}
