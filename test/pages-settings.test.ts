import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import type { Role } from '../core/auth/roles.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')

async function addUser (workspaceId: string, role: Role, email: string, firstName: string, lastName: string) {
  const [row] = await app.db('users').insert({ workspace_id: workspaceId, email, role, first_name: firstName, last_name: lastName }).returning('*')
  return row as { id: string, email: string, role: Role }
}

const owner = await addUser(acme.id, 'super-admin', 'olivia@acme.test', 'Olivia', 'Owner')
const admin = await addUser(acme.id, 'admin', 'adam@acme.test', 'Adam', 'Admin')
const itAdmin = await addUser(acme.id, 'it-admin', 'ivy@acme.test', 'Ivy', 'Tech')
const employee = await addUser(acme.id, 'employee', 'eve@acme.test', 'Eve', 'Employee')
const stranger = await addUser(other.id, 'employee', 'sam@other.test', 'Sam', 'Stranger')

const as = (user: { id: string }) => signIn(app, { slug: 'acme', workspaceId: acme.id, userId: user.id })
const currentWorkspace = async () => app.db('workspaces').where({ id: acme.id }).first()
const roleOf = async (id: string) => (await app.db('users').where({ id }).first()).role as Role

t.test('GET /settings by role', async t => {
  const asEmployee = await as(employee)
  const denied = await asEmployee.get('/settings')
  t.equal(denied.statusCode, 403, 'employee is refused')
  t.match(denied.body, 'Not allowed')
  t.match(denied.body, /needs one of these roles: Super admin, Admin or IT admin/, 'the 403 page names the roles needed')
  t.notMatch(denied.body, 'olivia@acme.test', 'no member data leaks')

  for (const user of [admin, itAdmin]) {
    const res = await (await as(user)).get('/settings')
    t.equal(res.statusCode, 200, `${user.role} sees settings`)
    t.match(res.body, /<input id="ws-name"[^>]* disabled/, `${user.role}: workspace name is read-only`)
    t.match(res.body, /<input id="ws-prefix"[^>]* disabled/)
    t.match(res.body, /<input id="ws-digits"[^>]* disabled/)
    t.notMatch(res.body, 'Save workspace settings', `${user.role}: no save button`)
    t.match(res.body, /<select id="ws-date-format"[^>]* disabled/)
    t.notMatch(res.body, '<select id="role-', `${user.role}: roles are shown, not editable`)
    t.match(res.body, 'Only a super admin can change workspace settings.')
    t.match(res.body, 'eve@acme.test', 'members are listed')
    t.notMatch(res.body, 'sam@other.test', 'members of other workspaces are not')
  }

  const res = await (await as(owner)).get('/settings')
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<input id="ws-name"[^>]* disabled/, 'super-admin can edit')
  t.match(res.body, 'Save workspace settings')
  t.match(res.body, 'ACME-000042', 'asset-tag preview')
  t.match(res.body, 'ACME-000001', 'next tag')
  t.match(res.body, `action="/settings/members/${employee.id}/role"`, 'a role form per member')
  t.match(res.body, /<option value="employee" selected>Employee<\/option>/)
  t.match(res.body, /aria-current="page"[^>]*>Settings|href="\/settings" aria-current="page"/, 'Settings is the current nav item')
})

t.test('GET /settings signed out redirects to sign-in', async t => {
  const res = await app.inject({ url: '/settings', headers: { host: 'acme.localhost' } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/sign-in?next=%2Fsettings')
})

t.test('GET /settings?q= narrows the members list', async t => {
  const res = await (await as(admin)).get('/settings?q=ivy')
  t.equal(res.statusCode, 200)
  t.match(res.body, 'ivy@acme.test')
  t.notMatch(res.body, 'eve@acme.test')
})

t.test('POST /settings/workspace saves and audits', async t => {
  const session = await as(owner)
  const res = await session.post('/settings/workspace', { name: 'Acme Corp', asset_tag_prefix: 'AC-', asset_tag_digits: '5' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings')

  const ws = await currentWorkspace()
  t.match(ws, { name: 'Acme Corp', asset_tag_prefix: 'AC-', asset_tag_digits: 5 })

  const entry = await app.db('audit_log').where({ workspace_id: acme.id, action: 'workspace.updated' }).orderBy('id', 'desc').first()
  t.ok(entry, 'an audit entry was written')
  t.equal(entry.actor_id, owner.id)
  t.equal(entry.actor_label, owner.email)
  t.equal(entry.target_type, 'workspace')
  t.same(entry.changes, {
    name: { old: 'Acme', new: 'Acme Corp' },
    asset_tag_prefix: { old: 'ACME-', new: 'AC-' },
    asset_tag_digits: { old: 6, new: 5 }
  })

  const page = await session.get('/settings')
  t.match(page.body, 'Workspace settings saved.', 'flash shown after the redirect')
  t.match(page.body, 'AC-00042')
  const again = await session.get('/settings')
  t.notMatch(again.body, 'Workspace settings saved.', 'flash shown once')

  const unchanged = await session.post('/settings/workspace', { name: 'Acme Corp', asset_tag_prefix: 'AC-', asset_tag_digits: '5' })
  t.equal(unchanged.statusCode, 303)
  const count = await app.db('audit_log').where({ workspace_id: acme.id, action: 'workspace.updated' }).count({ n: '*' })
  t.equal(Number(count[0].n), 1, 'saving without changes writes no audit entry')
})

t.test('POST /settings/workspace with invalid values re-renders with inline errors', async t => {
  const session = await as(owner)
  const before = await currentWorkspace()

  const badPrefix = await session.post('/settings/workspace', { name: 'Renamed', asset_tag_prefix: 'ac 1', asset_tag_digits: '6' })
  t.equal(badPrefix.statusCode, 422)
  t.match(badPrefix.body, 'The asset-tag prefix must be 1–20 characters')
  t.match(badPrefix.body, /<input id="ws-prefix" name="asset_tag_prefix" value="ac 1"[^>]*aria-invalid="true"/, 'typed value kept, field marked invalid')
  t.match(badPrefix.body, /aria-describedby="ws-prefix-hint ws-prefix-error"/)
  t.match(badPrefix.body, 'id="ws-prefix-error"')
  t.match(badPrefix.body, 'value="Renamed"', 'other typed values kept too')
  t.match(badPrefix.body, 'role="alert"')

  const longPrefix = await session.post('/settings/workspace', { name: 'Renamed', asset_tag_prefix: 'A'.repeat(21), asset_tag_digits: '6' })
  t.equal(longPrefix.statusCode, 422)

  for (const digits of ['13', '0', 'abc', '']) {
    const res = await session.post('/settings/workspace', { name: 'Renamed', asset_tag_prefix: 'OK-', asset_tag_digits: digits })
    t.equal(res.statusCode, 422, `digits "${digits}" refused`)
    t.match(res.body, 'The asset-tag digits must be a whole number from 1 to 12.')
    t.match(res.body, new RegExp(`<input id="ws-digits" name="asset_tag_digits" type="number"[^>]* value="${digits}"`))
  }

  const noName = await session.post('/settings/workspace', { name: '  ', asset_tag_prefix: 'OK-', asset_tag_digits: '6' })
  t.equal(noName.statusCode, 422)
  t.match(noName.body, 'Enter a workspace name.')

  t.same(await currentWorkspace(), before, 'workspace unchanged')
})

t.test('only a super-admin may change the workspace', async t => {
  const before = await currentWorkspace()
  for (const user of [admin, itAdmin, employee]) {
    const res = await (await as(user)).post('/settings/workspace', { name: 'Hijacked', asset_tag_prefix: 'X-', asset_tag_digits: '3' })
    t.equal(res.statusCode, 403, `${user.role} is refused`)
    t.match(res.body, 'This action needs the Super admin role.')
  }
  t.same(await currentWorkspace(), before, 'workspace unchanged')
})

t.test('a post without the CSRF token is refused', async t => {
  const before = await currentWorkspace()
  const session = await as(owner)
  const res = await session.post('/settings/workspace', { name: 'Forged', asset_tag_prefix: 'F-', asset_tag_digits: '3' }, { csrf: false })
  t.equal(res.statusCode, 403)
  t.match(res.body, 'Form expired')
  const role = await session.post(`/settings/members/${employee.id}/role`, { role: 'super-admin' }, { csrf: false })
  t.equal(role.statusCode, 403)
  t.equal(await roleOf(employee.id), 'employee')
  t.same(await currentWorkspace(), before)
})

t.test('role changes', async t => {
  const session = await as(owner)

  t.test('without htmx: redirect with a flash', async t => {
    const res = await session.post(`/settings/members/${employee.id}/role`, { role: 'it-admin' })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, '/settings')
    t.equal(await roleOf(employee.id), 'it-admin')
    const page = await session.get('/settings')
    t.match(page.body, 'Eve Employee is now IT admin.')
    const audit = await app.db('audit_log').where({ workspace_id: acme.id, target_id: employee.id }).orderBy('id', 'desc').first()
    t.ok(audit, 'the register service audited the change')
    t.equal(audit.actor_id, owner.id)
  })

  t.test('with htmx: the updated row', async t => {
    const res = await session.post(`/settings/members/${employee.id}/role`, { role: 'employee' }, { headers: { 'hx-request': 'true', 'hx-target': `member-${employee.id}` } })
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, '<!doctype', 'a fragment, not a page')
    t.match(res.body, new RegExp(`^<tr id="member-${employee.id}">`))
    t.match(res.body, /<option value="employee" selected>/)
    t.match(res.body, 'Eve Employee is now Employee.')
    t.equal(await roleOf(employee.id), 'employee')
  })

  t.test('an unknown role is an inline error', async t => {
    const res = await session.post(`/settings/members/${employee.id}/role`, { role: 'god' }, { headers: { 'hx-request': 'true' } })
    t.equal(res.statusCode, 422)
    t.match(res.body, 'Choose one of the listed roles.')
    t.match(res.body, 'aria-invalid="true"')
    t.equal(await roleOf(employee.id), 'employee')
  })

  t.test('the last super-admin cannot demote themselves', async t => {
    const page = await session.post(`/settings/members/${owner.id}/role`, { role: 'admin' })
    t.equal(page.statusCode, 422)
    t.match(page.body, 'You are the last super admin.')
    t.match(page.body, `id="role-error-${owner.id}"`)
    t.match(page.body, /<option value="admin" selected>/, 'the chosen role is kept in the form')

    const row = await session.post(`/settings/members/${owner.id}/role`, { role: 'employee' }, { headers: { 'hx-request': 'true' } })
    t.equal(row.statusCode, 422)
    t.match(row.body, new RegExp(`^<tr id="member-${owner.id}">`))
    t.match(row.body, 'You are the last super admin.')
    t.equal(await roleOf(owner.id), 'super-admin')
  })

  t.test('with a second super-admin, one may step down', async t => {
    const res = await session.post(`/settings/members/${admin.id}/role`, { role: 'super-admin' })
    t.equal(res.statusCode, 303)
    const self = await session.post(`/settings/members/${owner.id}/role`, { role: 'admin' }, { headers: { 'hx-request': 'true' } })
    t.equal(self.statusCode, 204, 'own role change reloads the page')
    t.equal(self.headers['hx-redirect'], '/settings')
    t.equal(await roleOf(owner.id), 'admin')
    const page = await session.get('/settings')
    t.notMatch(page.body, 'Save workspace settings', 'now read-only for the former owner')
    t.match(page.body, 'Olivia Owner is now Admin.')
    // Restore for the tests that follow.
    await app.db('users').where({ id: owner.id }).update({ role: 'super-admin' })
  })

  t.test('a member of another workspace is not found', async t => {
    const res = await session.post(`/settings/members/${stranger.id}/role`, { role: 'admin' })
    t.equal(res.statusCode, 404)
    t.match(res.body, 'Not found')
    t.equal(await roleOf(stranger.id), 'employee')
    const bogus = await session.post('/settings/members/not-a-uuid/role', { role: 'admin' })
    t.equal(bogus.statusCode, 404)
    const htmx = await session.post(`/settings/members/${stranger.id}/role`, { role: 'admin' }, { headers: { 'hx-request': 'true' } })
    t.equal(htmx.statusCode, 404)
    t.equal(htmx.headers['hx-retarget'], '#main', 'htmx errors replace the main content, not the row')
    t.notMatch(htmx.body, '<!doctype')
  })

  t.test('non-super-admins cannot change roles', async t => {
    const asItAdmin = await as(itAdmin)
    const res = await asItAdmin.post(`/settings/members/${itAdmin.id}/role`, { role: 'super-admin' })
    t.equal(res.statusCode, 403)
    t.equal(await roleOf(itAdmin.id), 'it-admin')
  })
})

t.test('asset-tag preview fragment', async t => {
  const session = await as(owner)
  const ok = await session.get('/settings/tag-preview?asset_tag_prefix=HW-&asset_tag_digits=4', { 'hx-request': 'true' })
  t.equal(ok.statusCode, 200)
  t.equal(ok.body.trim(), 'HW-0042')
  const bad = await session.get('/settings/tag-preview?asset_tag_prefix=hw&asset_tag_digits=4', { 'hx-request': 'true' })
  t.match(bad.body, '—')
})
