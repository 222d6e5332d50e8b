import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { GROUP, USER, scimClient } from './helpers/scim.ts'
import { until } from './helpers/wait.ts'

// The SCIM plugin's part of Settings → SCIM: the identity provider's groups mapped to roles (the
// card's "N mappings") and the provisioning log, as admins without JavaScript use them.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const { add, as } = members(app, acme)
const owner = await add('super-admin', 'sam@acme.test')
const admin = await add('admin', 'ada@acme.test')

const okta = await scimClient(app, acme.id, 'Okta')
const [ann, bob] = await Promise.all(['ann', 'bob'].map(async name => (await okta.ok('POST', '/Users', { schemas: [USER], userName: `${name}@acme.test` })).id as string))
const engineering = await okta.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: ann }, { value: bob }] })
const helpdesk = await okta.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Helpdesk', members: [{ value: bob }] })
const elsewhere = await (await scimClient(app, other.id, 'Entra')).ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Other workspace group' })

const roleOf = async (id: string) => (await app.db('users').where({ workspace_id: acme.id, id }).first()).role
const badgeCount = async () => (await app.db('integrations').where({ workspace_id: acme.id, plugin_id: 'scim' }).first())?.badge_count ?? null
const roleSelect = (groupId: string) => new RegExp(`<select id="group-role-${groupId}" name="role"[^>]*>([\\s\\S]*?)</select>`)

t.test('the page lists the groups with their member counts and a role for each; only a super admin may change one', async t => {
  const res = await (await as(owner)).get('/settings/scim')
  t.equal(res.statusCode, 200)
  t.match(res.body, '<h2 id="groups-heading">Group → role mappings</h2>')
  t.match(res.body, /<th scope="row">Engineering<\/th>\s*<td class="num">2<\/td>/)
  t.match(res.body, /<th scope="row">Helpdesk<\/th>\s*<td class="num">1<\/td>/)
  t.notMatch(res.body, 'Other workspace group', 'the workspace\'s groups only')
  t.match(res.body, `<label class="visually-hidden" for="group-role-${engineering.id}">Role of the group Engineering</label>`)
  const options = res.body.match(roleSelect(engineering.id))?.[1] ?? ''
  t.match(options, '<option value="" selected>No role</option>')
  t.match(options, '<option value="it-admin">IT admin</option>')
  t.match(options, '<option value="super-admin">Super admin</option>')
  t.match(res.body, 'action="/settings/scim/actions/map-group"')

  const readOnly = await (await as(admin)).get('/settings/scim')
  t.equal(readOnly.statusCode, 200)
  t.notMatch(readOnly.body, 'group-role-', 'an admin sees no role forms')
  t.match(readOnly.body, 'Only a super admin can change a mapping')
})

t.test('mapping a group gives its members the role, audited as the admin; the card counts the mappings', async t => {
  const browser = await as(owner)
  const res = await browser.post('/settings/scim/actions/map-group', { group: engineering.id, role: 'it-admin' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/scim')
  t.equal(await roleOf(ann), 'it-admin')
  t.equal(await roleOf(bob), 'it-admin')
  t.equal(await badgeCount(), 1)

  const page = await browser.get('/settings/scim')
  t.match(page.body, '“Engineering” now maps to IT admin: its members have the role.', 'the message after the redirect')
  t.match(page.body.match(roleSelect(engineering.id))?.[1], '<option value="it-admin" selected>IT admin</option>')
  t.match(page.body, '1 of 2 groups mapped.')

  const changes = await app.db('audit_log').where({ workspace_id: acme.id, action: 'person.role_changed', actor_label: 'sam@acme.test' }).orderBy('id')
  t.same(changes.map(c => c.target_id).sort(), [ann, bob].sort(), 'each member\'s new role, by the super admin')
  const action = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.page_action' }).orderBy('id', 'desc').first()
  t.match(action, { actor_label: 'sam@acme.test', target_id: 'scim', details: { action: 'map-group', result: /Engineering.*IT admin/ } })

  await browser.post('/settings/scim/actions/map-group', { group: helpdesk.id, role: 'admin' })
  t.equal(await roleOf(bob), 'admin', 'the highest role of the mapped groups')
  t.equal(await roleOf(ann), 'it-admin')
  t.equal(await badgeCount(), 2)
  const cards = await browser.get('/settings/integrations')
  t.match(cards.body, /2 mappings/, 'on the Integrations card')
})

t.test('refused: a role outside the list, a group that is gone or another workspace\'s, an admin who is not a super admin', async t => {
  const browser = await as(owner)
  const before = await app.pluginDb('scim')('scim_groups').where({ workspace_id: acme.id }).orderBy('id')

  const badRole = await browser.post('/settings/scim/actions/map-group', { group: engineering.id, role: 'owner' })
  t.equal(badRole.statusCode, 422)
  t.match(badRole.body, new RegExp(`<select id="group-role-${engineering.id}" name="role" aria-invalid="true" aria-describedby="group-error-${engineering.id}">`))
  t.match(badRole.body, `<p class="field-error" id="group-error-${engineering.id}" role="alert">must be one of employee, it-admin, admin, super-admin, or empty for no role.</p>`)

  const foreign = await browser.post('/settings/scim/actions/map-group', { group: elsewhere.id, role: 'super-admin' })
  t.equal(foreign.statusCode, 422)
  t.match(foreign.body, 'This group is no longer provisioned')
  const junk = await browser.post('/settings/scim/actions/map-group', { group: 'not-a-uuid', role: 'admin' })
  t.equal(junk.statusCode, 422)

  const notOwner = await (await as(admin)).post('/settings/scim/actions/map-group', { group: engineering.id, role: 'super-admin' })
  t.equal(notOwner.statusCode, 422)
  t.match(notOwner.body, 'Only a super admin can map groups to roles')

  t.same(await app.pluginDb('scim')('scim_groups').where({ workspace_id: acme.id }).orderBy('id'), before, 'no mapping changed')
  t.equal((await app.pluginDb('scim')('scim_groups').where({ workspace_id: other.id, id: elsewhere.id }).first()).role, null, 'nor the other workspace\'s')
  t.equal(await roleOf(ann), 'it-admin')

  t.equal((await browser.post('/settings/scim/actions/unknown', {})).statusCode, 404)
  t.equal((await browser.post('/settings/scim/actions/map-group', { group: engineering.id, role: '' }, { csrf: false })).statusCode, 403, 'CSRF-checked')
  const employee = await add('employee', 'eve@acme.test')
  const signedInEmployee = await (await as(employee)).post('/settings/scim/actions/map-group', { group: engineering.id, role: 'super-admin' })
  t.equal(signedInEmployee.statusCode, 403)
})

t.test('removing a mapping and the identity provider deleting a mapped group take the roles away and update the count', async t => {
  const browser = await as(owner)
  const res = await browser.post('/settings/scim/actions/map-group', { group: engineering.id, role: '' })
  t.equal(res.statusCode, 303)
  t.equal(await roleOf(ann), 'employee', 'in no mapped group any more')
  t.equal(await roleOf(bob), 'admin', 'still in Helpdesk')
  t.equal(await badgeCount(), 1)
  t.match((await browser.get('/settings/scim')).body, '“Engineering” no longer maps to a role.')

  t.equal((await okta.call('DELETE', `/Groups/${helpdesk.id}`)).statusCode, 204)
  t.equal(await roleOf(bob), 'employee')
  t.equal(await badgeCount(), null, 'no mappings: the card shows no count')
})

t.test('the provisioning log shows the last errors and the recent requests, by token name', async t => {
  await okta.call('POST', '/Users', { schemas: [USER], userName: 'ann@acme.test' })
  await okta.call('GET', '/Users?filter=userName%20zz%20%22x%22')
  const html = await until(async () => {
    const body = (await (await as(admin)).get('/settings/scim')).body
    return body.includes('invalidFilter') ? body : undefined
  })
  t.match(html, '<h2 id="log-heading">Provisioning log</h2>')
  const [, errors = ''] = html.match(/<h3 id="log-errors-heading">Last errors<\/h3>([\s\S]*?)<h3/) ?? []
  t.match(errors, /<td>Okta<\/td>\s*<td><code>GET \/Users\?filter&#x3D;userName zz &quot;x&quot;<\/code><\/td>\s*<td><span class="badge badge-failure">400<\/span><\/td>\s*<td><code>invalidFilter<\/code>/)
  t.match(errors, /<code>POST \/Users<\/code><\/td>\s*<td><span class="badge badge-failure">409<\/span><\/td>\s*<td><code>uniqueness<\/code> [^<]*userName/)
  t.notMatch(errors, 'badge-success', 'errors only')
  const [, recent = ''] = html.match(/<h3 id="log-recent-heading">Recent requests<\/h3>([\s\S]*?)<\/section>/) ?? []
  t.match(recent, /<code>DELETE \/Groups\/[0-9a-f-]{36}<\/code><\/td>\s*<td><span class="badge badge-success">204<\/span>/)
  t.match(html, /\d+ in the last 24 hours, 2 of them refused/)
  t.notMatch(html, okta.secret, 'never the token')
})
