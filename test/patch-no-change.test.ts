import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { members } from './helpers/members.ts'
import { GROUP, USER, scimClient } from './helpers/scim.ts'
import { until } from './helpers/wait.ts'
import { webhookReceiver } from './helpers/webhook-receiver.ts'

// A change that changes nothing — PATCH {}, or values equal to the stored ones — writes nothing,
// whoever sends it (API, pages, SCIM): no UPDATE (version and updated_at stay), no audit entry, no
// event, so no webhook. The answer is the record as it is, and a stale version is still refused.
// (Asset requests have no PATCH: they only move by approve, reject and fulfil.)

const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1' })
const acme = await workspace('acme')
const api = await apiClient(app, acme.id)
const okta = await scimClient(app, acme.id, 'Okta')
const team = members(app, acme)
const browser = await team.as(await team.add('admin', 'admin@acme.test'))

const receiver = await webhookReceiver(t.teardown.bind(t))
const { secret: _secret, ...webhook } = json(await api.call('POST', '/api/webhooks', { url: receiver.url, events: ['*'] }))
const hardware = json(await api.call('POST', '/api/hardware', {
  serial: 'C02-1', name: 'MacBook', mac_address: '3c:22:fb:0a:1b:2c', purchase_date: '2024-01-02', purchase_price: 1299.5, notes: 'Spare', specifications: { cpu: 'M3', ram: [16, 'GB'] }
}))
const person = json(await api.call('POST', '/api/users', { email: 'pat@acme.test', first_name: 'Pat', start_date: '2024-01-01' }))
const software = json(await api.call('POST', '/api/software', { name: 'Figma', vendor: 'Figma Inc', cost_per_seat: 12, seats_purchased: 10 }))
const scimUser = await okta.ok('POST', '/Users', {
  schemas: [USER], userName: 'ada@acme.test', name: { givenName: 'Ada', familyName: 'Lovelace' }, title: 'CTO', emails: [{ value: 'ada@acme.test', type: 'work', primary: true }], active: true
})
const scimGroup = await okta.ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: scimUser.id, display: 'Ada' }] })

/**
 * Everything a write would touch: the records' versions and stamps, and every audit entry, event
 * and delivery — once the outbox has handed every event to the webhooks (deliveries are made then).
 */
async function snapshot () {
  await until(async () => Number((await app.db('events').where({ workspace_id: acme.id }).whereNull('dispatched_at').count({ n: '*' }))[0].n) === 0)
  const stamp = (table: string, db = app.db) => db(table).where({ workspace_id: acme.id }).orderBy('id').select('id', 'version', 'updated_at')
  const count = async (table: string) => Number((await app.db(table).where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)
  return {
    hardware: await stamp('hardware'),
    users: await stamp('users'),
    software: await stamp('software'),
    scim_users: await stamp('scim_users', app.pluginDb('scim')),
    scim_groups: await stamp('scim_groups', app.pluginDb('scim')),
    webhooks: await app.db('webhook_subscriptions').where({ workspace_id: acme.id }).select('id', 'updated_at'),
    audit: await count('audit_log'),
    events: await count('events'),
    deliveries: await count('webhook_deliveries'),
    hardwareWrites: Number((await app.db('table_writes').count({ n: '*' }))[0].n)
  }
}

t.test('API: PATCH {} and a PATCH of the stored values answer 200 with the record as it is, and write nothing', async t => {
  const before = await snapshot()
  const cases: Array<[string, object, { version?: number }]> = [
    [`/api/hardware/${hardware.id}`, {}, hardware],
    [`/api/hardware/${hardware.id}`, { name: 'MacBook', mac_address: '3C-22-FB-0A-1B-2C', purchase_date: '2024-01-02', purchase_price: 1299.50, notes: ' Spare ', specifications: { ram: [16, 'GB'], cpu: 'M3' }, version: hardware.version }, hardware],
    [`/api/users/${person.id}`, {}, person],
    [`/api/users/${person.id}`, { first_name: 'Pat', start_date: '2024-01-01', end_date: null, job_title: '' }, person],
    [`/api/software/${software.id}`, {}, software],
    [`/api/software/${software.id}`, { name: 'Figma', vendor: 'Figma Inc', cost_per_seat: 12, seats_purchased: 10 }, software],
    [`/api/webhooks/${webhook.id}`, {}, webhook],
    [`/api/webhooks/${webhook.id}`, { url: receiver.url, events: ['*'], active: true }, webhook]
  ]
  for (const [url, body, record] of cases) {
    const res = await api.call('PATCH', url, body, record.version ? { 'if-match': `"${record.version}"` } : {})
    t.equal(res.statusCode, 200, `${url} ${JSON.stringify(body)}`)
    t.same(json(res), JSON.parse(JSON.stringify(record)), 'the record as it is')
    if (record.version) t.equal(res.headers.etag, `"${record.version}"`)
  }
  t.same(await snapshot(), before, 'no UPDATE, audit entry, event or delivery')
})

t.test('API: a stale version is refused even when the PATCH changes nothing', async t => {
  for (const [url, record] of [[`/api/hardware/${hardware.id}`, hardware], [`/api/users/${person.id}`, person], [`/api/software/${software.id}`, software]] as const) {
    isProblem(t, await api.call('PATCH', url, {}, { 'if-match': `"${record.version + 1}"` }), 412, 'If-Match', 'stale')
    isProblem(t, await api.call('PATCH', url, { version: record.version + 1 }), 409, 'version', 'stale')
  }
})

/** The edit form of a record as the page fills it, to post back unchanged. */
async function formOf (url: string): Promise<Record<string, string>> {
  const page = (await browser.get(url)).body
  const form: Record<string, string> = {}
  const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'")
  for (const [input] of page.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input)?.[1]
    if (name && name !== '_csrf') form[name] = unescape(/value="([^"]*)"/.exec(input)?.[1] ?? '')
  }
  for (const [select, name] of page.matchAll(/<select[^>]*name="([^"]+)"[\s\S]*?<\/select>/g)) form[name] = /<option[^>]*value="([^"]*)"[^>]*selected/.exec(select)?.[1] ?? ''
  for (const [, name, text] of page.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) form[name] = unescape(text)
  return form
}

t.test('pages: an edit form saved as it was opened writes nothing', async t => {
  const before = await snapshot()
  for (const url of [`/hardware/${hardware.id}/edit`, `/people/${person.id}/edit`, `/software/${software.id}/edit`]) {
    const form = await formOf(url)
    t.ok(form.version, `${url} carries the version`)
    const res = await browser.post(url, form)
    t.equal(res.statusCode, 303, `${url}: ${res.statusCode}`)
  }
  t.same(await snapshot(), before, 'no UPDATE, audit entry, event or delivery')
})

t.test('SCIM: a PUT of the same document and PATCHes to the values already there write nothing; meta stays', async t => {
  const before = await snapshot()
  const user = await okta.ok('GET', `/Users/${scimUser.id}`)
  const group = await okta.ok('GET', `/Groups/${scimGroup.id}`)
  const { id: _id, meta: _meta, ...document } = user
  t.equal((await okta.call('PUT', `/Users/${scimUser.id}`, document)).statusCode, 200)
  for (const operations of [
    [{ op: 'replace', path: 'name.givenName', value: 'Ada' }],
    [{ op: 'replace', path: 'active', value: true }, { op: 'add', path: 'title', value: 'CTO' }],
    [{ op: 'add', path: 'emails', value: [{ value: 'ada@acme.test', type: 'work', primary: true }] }]
  ]) {
    t.equal((await okta.patch(`/Users/${scimUser.id}`, ...operations)).statusCode, 204, JSON.stringify(operations))
  }
  t.equal((await okta.patch(`/Groups/${scimGroup.id}`, { op: 'add', path: 'members', value: [{ value: scimUser.id, display: 'Ada' }] })).statusCode, 204)
  t.equal((await okta.patch(`/Groups/${scimGroup.id}`, { op: 'replace', path: 'displayName', value: 'Engineering' })).statusCode, 204)
  const { id: _gid, meta: _gmeta, ...groupDocument } = group
  t.equal((await okta.call('PUT', `/Groups/${scimGroup.id}`, groupDocument)).statusCode, 200)

  t.same((await okta.ok('GET', `/Users/${scimUser.id}`)).meta, user.meta, 'the user\'s version and lastModified stay')
  t.same((await okta.ok('GET', `/Groups/${scimGroup.id}`)).meta, group.meta, 'the group\'s too')
  t.same(await snapshot(), before, 'no UPDATE, audit entry, event or delivery')

  t.equal((await okta.patch(`/Users/${scimUser.id}`, { op: 'replace', path: 'title', value: 'Chief Engineer' })).statusCode, 204)
  t.not((await okta.ok('GET', `/Users/${scimUser.id}`)).meta.version, user.meta.version, 'a real change still moves the version')
})
