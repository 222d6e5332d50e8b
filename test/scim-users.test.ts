import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { ENTERPRISE, USER, scimClient } from './helpers/scim.ts'
import { until } from './helpers/wait.ts'
import { apiClient } from './helpers/api.ts'

// The documented request sequences of Okta and Microsoft Entra ID, replayed against /scim/v2,
// and the people, events and audit entries they leave in the register.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const okta = await scimClient(app, acme.id, 'Okta')
const entra = await scimClient(app, acme.id, 'Entra ID')
const person = (id: string) => app.db('users').where({ workspace_id: acme.id, id }).first()

t.test('Okta: match, create, PUT update, deactivate without a path, reactivate the same person', async t => {
  const none = await okta.ok('GET', '/Users?filter=userName%20eq%20%22dade%40acme.test%22&startIndex=1&count=100')
  t.match(none, { totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] }, 'no match is an empty list, not a 404')

  const body = {
    schemas: [USER],
    userName: 'dade@acme.test',
    name: { givenName: 'Dade', familyName: 'Murphy' },
    emails: [{ primary: true, value: 'dade@acme.test', type: 'work' }],
    displayName: 'Dade Murphy',
    locale: 'en-US',
    externalId: '00ujl29u0le5T6Aj10h7',
    groups: [],
    password: '1mz050nq',
    active: true
  }
  const created = await okta.call('POST', '/Users', body)
  t.equal(created.statusCode, 201)
  t.match(created.headers['content-type'], /^application\/scim\+json/)
  const user = JSON.parse(created.body)
  t.match(user, { schemas: [USER], id: String, userName: 'dade@acme.test', externalId: '00ujl29u0le5T6Aj10h7', active: true, meta: { resourceType: 'User', created: String, lastModified: String, location: `http://localhost:80/scim/v2/Users/${user.id}` } })
  t.equal(created.headers.location, user.meta.location)
  t.notOk('password' in user, 'the password is never returned')
  t.match(await person(user.id), { email: 'dade@acme.test', first_name: 'Dade', last_name: 'Murphy', status: 'active', source: 'scim' }, 'the user is a person of the register')

  const updated = await okta.ok('PUT', `/Users/${user.id}`, { ...body, name: { givenName: 'Dade', familyName: 'Zero Cool' }, title: 'Hacker' })
  t.match(updated, { id: user.id, title: 'Hacker', name: { familyName: 'Zero Cool' } })
  t.match(await person(user.id), { last_name: 'Zero Cool', job_title: 'Hacker' })

  const deactivated = await okta.patch(`/Users/${user.id}`, { op: 'replace', value: { active: false } })
  t.equal(deactivated.statusCode, 204)
  t.match(await person(user.id), { status: 'offboarded' }, 'active=false offboards the person')
  t.ok(await app.db('events').where({ workspace_id: acme.id, type: 'user.offboarded' }).whereRaw("payload->>'id' = ?", [user.id]).first(), 'user.offboarded is emitted')
  t.match(await okta.ok('GET', `/Users/${user.id}`), { active: false }, 'an inactive user is still returned')

  await okta.patch(`/Users/${user.id}`, { op: 'replace', value: { active: true } })
  t.match(await person(user.id), { id: user.id, status: 'active', end_date: null }, 'reactivated: the same person, not a new one')
  t.equal(Number((await app.db('users').where({ workspace_id: acme.id, email: 'dade@acme.test' }).count({ n: '*' }))[0].n), 1)

  const audit = await app.db('audit_log').where({ workspace_id: acme.id, target_id: user.id }).orderBy('id').select('action', 'actor_type', 'actor_label')
  t.same(audit.map(a => a.action), ['person.created', 'person.updated', 'person.offboarded', 'person.reactivated'])
  t.ok(audit.every(a => a.actor_type === 'scim' && a.actor_label === 'SCIM token "Okta"'), 'audited as the SCIM token')
})

t.test('Entra ID: filter before create, a PATCH per attribute with capitalised ops, "False", DELETE keeps history', async t => {
  t.match(await entra.ok('GET', '/Users?filter=userName+eq+%227b5c7c2e-4d8a-4c55-9b2c-1a2b3c4d5e6f%22'), { totalResults: 0, Resources: [] }, 'Test connection: a random GUID is an empty list')
  const boss = await entra.ok('POST', '/Users', { schemas: [USER], userName: 'chief@acme.test', active: true, emails: [{ type: 'work', value: 'boss@acme.test', primary: true }] })
  const alex = await entra.ok('POST', '/Users', {
    schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
    externalId: 'alex',
    userName: 'Alex@acme.test',
    active: 'True',
    displayName: 'Alex Wu',
    emails: [{ Primary: true, type: 'work', value: 'alex@acme.test' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Alex Wu', familyName: 'Wu', givenName: 'Alex' },
    roles: [],
    title: null,
    [ENTERPRISE]: { Department: 'IT', employeeNumber: '42' }
  })
  t.match(alex, { userName: 'Alex@acme.test', active: true, [ENTERPRISE]: { department: 'IT', employeeNumber: '42' } }, 'capitalised keys, "True" and the schema typo are understood')
  t.match(await person(alex.id), { department: 'IT', first_name: 'Alex' })

  t.equal((await entra.ok('GET', '/Users?filter=userName+eq+%22alex%40ACME.test%22')).totalResults, 1, 'userName compares case-insensitively')
  t.equal((await entra.ok('GET', '/Users?filter=externalId+eq+%22alex%22')).totalResults, 1)
  t.equal((await entra.ok('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "alex@acme.test"')}`)).totalResults, 1, 'Entra\'s value-path filter')

  for (const operation of [
    { op: 'Replace', path: 'title', value: 'Engineer' },
    { op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id },
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alex.wu@acme.test' },
    { op: 'Replace', path: 'name.familyName', value: 'Wu-Li' }
  ]) t.equal((await entra.patch(`/Users/${alex.id}`, operation)).statusCode, 204, `${operation.op} ${operation.path}`)
  t.match(await person(alex.id), { job_title: 'Engineer', manager_id: boss.id, email: 'alex.wu@acme.test', last_name: 'Wu-Li' })

  const manager = await entra.patch(`/Users/${alex.id}`, { op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' })
  t.equal(manager.statusCode, 204)
  t.equal((await person(alex.id)).manager_id, null, 'an empty replace removes the manager')

  await entra.patch(`/Users/${alex.id}`, { op: 'Replace', path: 'active', value: 'False' })
  t.match(await person(alex.id), { status: 'offboarded' })

  t.equal((await entra.call('DELETE', `/Users/${alex.id}`)).statusCode, 204)
  t.equal((await entra.call('GET', `/Users/${alex.id}`)).statusCode, 404)
  t.equal((await entra.ok('GET', '/Users?filter=userName+eq+%22alex%40acme.test%22')).totalResults, 0)
  t.match(await person(alex.id), { status: 'offboarded' }, 'the person and their history stay')

  const again = await entra.ok('POST', '/Users', { schemas: [USER], userName: 'alex@acme.test', emails: [{ value: 'alex.wu@acme.test', primary: true }] })
  t.equal(again.id, alex.id, 'provisioned again: the same person, reactivated')
  t.match(await person(alex.id), { status: 'active' })
})

t.test('every operation of a PATCH applies, or none does', async t => {
  const user = await okta.ok('POST', '/Users', { schemas: [USER], userName: 'kim@acme.test', title: 'Analyst' })
  const refused = await okta.patch(`/Users/${user.id}`, { op: 'replace', path: 'title', value: 'Lead' }, { op: 'replace', path: 'emails[type eq', value: 'x' })
  t.equal(refused.statusCode, 400)
  t.match(JSON.parse(refused.body), { scimType: 'invalidPath' })
  t.match(await okta.ok('GET', `/Users/${user.id}`), { title: 'Analyst', meta: { version: 'W/"1"' } }, 'the first operation was not kept')
  t.equal((await person(user.id)).job_title, 'Analyst')
})

t.test('errors are SCIM error JSON with the right status and scimType; nothing is half-written', async t => {
  const error = async (res: Awaited<ReturnType<typeof okta.call>>, status: number, scimType?: string, detail?: RegExp) => {
    t.equal(res.statusCode, status, res.body)
    t.match(res.headers['content-type'], /^application\/scim\+json/)
    const body = JSON.parse(res.body)
    t.match(body, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail: detail ?? String })
    if (scimType) t.equal(body.scimType, scimType)
  }
  await okta.ok('POST', '/Users', { schemas: [USER], userName: 'dup@acme.test' })
  const before = await app.db('users').where({ workspace_id: acme.id }).count({ n: '*' })
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'DUP@acme.test' }), 409, 'uniqueness', /userName/)
  await error(await okta.call('POST', '/Users', { schemas: [USER], name: { givenName: 'No' } }), 400, 'invalidValue', /userName/)
  await error(await okta.call('POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax')
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'long@acme.test', title: 'x'.repeat(256) }), 400, 'invalidValue', /title/)
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'ph@acme.test', phoneNumbers: [{ value: '1'.repeat(21) }] }), 400, 'invalidValue', /phoneNumbers/)
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'lang@acme.test', preferredLanguage: 'not a language' }), 400, 'invalidValue', /preferredLanguage/)
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'addr@acme.test', addresses: [{ streetAddress: '1 Main St', locality: 'Springfield' }] }), 400, 'invalidValue', /addresses/)
  await error(await okta.call('POST', '/Users', { schemas: [USER], userName: 'cc@acme.test', addresses: [{ streetAddress: '1 Main St', locality: 'Springfield', region: 'IL', postalCode: '62701', country: 'XX' }] }), 400, 'invalidValue', /country/)
  await error(await okta.call('GET', '/Users?filter=userName%20eq'), 400, 'invalidFilter')
  await error(await okta.call('GET', '/Users?filter=shoeSize%20eq%2042'), 400, 'invalidFilter')
  for (const id of ['010101001010101011001010101011', '00919288221112222', '00000000-0000-4000-8000-000000000000']) {
    await error(await okta.call('GET', `/Users/${id}`), 404)
    await error(await okta.call('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] }), 404)
  }
  t.same(await app.db('users').where({ workspace_id: acme.id }).count({ n: '*' }), before, 'no person was written by a refused request')

  const anonymous = await app.inject({ method: 'GET', url: '/scim/v2/Users' })
  await error(anonymous, 401)
  t.match(anonymous.headers['www-authenticate'], /^Bearer/)
  await error(await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: 'non-token' } }), 401)
  const api = await apiClient(app, acme.id)
  await error(await app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${api.secret}` } }), 401, undefined, /not/)
  t.equal((await app.inject({ method: 'GET', url: '/api/hardware', headers: { authorization: `Bearer ${okta.secret}` } })).statusCode, 401, 'a SCIM token does not open the API')
})

t.test('deactivating or deleting the last active super-admin is refused, and nothing changes', async t => {
  const boss = await okta.ok('POST', '/Users', { schemas: [USER], userName: 'last-owner@acme.test', active: true })
  await app.db('users').where({ workspace_id: acme.id }).whereNot({ id: boss.id }).where({ role: 'super-admin' }).update({ role: 'admin' })
  await app.db('users').where({ workspace_id: acme.id, id: boss.id }).update({ role: 'super-admin' })
  const scimBefore = await app.pluginDb('scim')('scim_users').where({ workspace_id: acme.id, id: boss.id }).first()

  for (const res of [await okta.patch(`/Users/${boss.id}`, { op: 'replace', value: { active: false } }), await okta.call('DELETE', `/Users/${boss.id}`)]) {
    t.equal(res.statusCode, 400)
    t.match(JSON.parse(res.body), { scimType: 'invalidValue', detail: /status cannot become offboarded: this is the last active super-admin/ })
  }
  t.match(await person(boss.id), { status: 'active', role: 'super-admin' })
  t.same(await app.pluginDb('scim')('scim_users').where({ workspace_id: acme.id, id: boss.id }).first(), scimBefore, 'the SCIM user is unchanged too')
  t.equal((await okta.ok('GET', `/Users/${boss.id}`)).active, true)
  await app.db('users').where({ workspace_id: acme.id, id: boss.id }).update({ role: 'employee' })
})

t.test('another workspace\'s users are not found; lists are paged in a stable order', async t => {
  const theirs = await scimClient(app, other.id)
  const mine = await okta.ok('POST', '/Users', { schemas: [USER], userName: 'private@acme.test' })
  t.equal((await theirs.call('GET', `/Users/${mine.id}`)).statusCode, 404)
  t.equal((await theirs.call('DELETE', `/Users/${mine.id}`)).statusCode, 404)
  t.equal((await theirs.ok('GET', '/Users')).totalResults, 0)

  const all = await okta.ok('GET', '/Users?count=200')
  const seen: string[] = []
  for (let start = 1; start <= all.totalResults; start += 2) {
    const page = await okta.ok('GET', `/users?startIndex=${start}&count=2`)
    t.equal(page.startIndex, start)
    seen.push(...page.Resources.map((u: { id: string }) => u.id))
  }
  t.same(seen, all.Resources.map((u: { id: string }) => u.id), 'pages continue one another, in any case of /users')
  const projected = await okta.ok('GET', `/Users/${mine.id}?attributes=userName`)
  t.same(Object.keys(projected).sort(), ['id', 'meta', 'schemas', 'userName'])
})

t.test('every request is in the provisioning log, errors with their scimType', async t => {
  await okta.call('GET', '/Users/nope')
  const rows = await until(async () => {
    const found = await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id, token_id: okta.tokenId }).orderBy('id')
    return found.some(r => r.status === 404 && r.resource_id === 'nope') ? found : undefined
  })
  t.ok(rows.length > 10, `${rows.length} requests logged`)
  t.ok(rows.some(r => r.method === 'POST' && r.status === 201 && r.resource_type === 'Users' && r.resource_id), 'creations with the id made')
  t.ok(rows.some(r => r.status === 409 && r.scim_type === 'uniqueness' && /userName/.test(r.detail)), 'refusals with their reason')
  t.notOk(await app.pluginDb('scim')('scim_requests').where({ workspace_id: other.id, token_id: okta.tokenId }).first(), 'logged in the token\'s workspace only')
})
