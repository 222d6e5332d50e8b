import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { members } from './helpers/members.ts'
import { systemActor } from '../core/audit/index.ts'

// Bad input on the pages: a NUL character in a form field comes back beside the field (422), in
// an address (a search, a filter, a sort, a cursor) it is a 400 page, and a year PostgreSQL has
// not is refused like any other wrong date. Never a 500, nothing saved.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const team = members(app, acme)
const owner = await team.add('super-admin', 'owner@acme.test')
const browser = await team.as(owner)
const pat = await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test', first_name: 'Pat' })
const laptop = await app.registry.hardware.create(acme.id, systemActor, { serial: 'SN-1', name: 'ThinkPad' })
const figma = await app.registry.software.create(acme.id, systemActor, { name: 'Figma' })
const request = await app.registry.requests.create(acme.id, systemActor, { requester_id: pat.id, category: 'laptop' })
const N = '\u0000'

const TABLES = ['hardware', 'users', 'software', 'software_assignments', 'asset_requests', 'api_tokens', 'webhook_subscriptions', 'integrations']
const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async table =>
  [table, Number((await app.db(table).where({ workspace_id: acme.id }).count({ n: '*' }))[0].n)])))

t.test('a NUL in a field of a register form is refused beside the field (422), what was typed kept', async t => {
  const before = await counts()
  const forms: Array<[string, Record<string, string>, RegExp]> = [
    ['/hardware/new', { serial: 'SN-2', name: `Think${N}Pad`, category: 'laptop', status: 'available', condition: 'good' }, /id="hw-name-error">Name must not contain NUL characters \(U\+0000\)\./],
    ['/hardware/new', { serial: 'SN-3', name: 'ThinkPad', notes: `a${N}`, category: 'laptop', status: 'available', condition: 'good' }, /id="hw-notes-error">Notes must not contain NUL/],
    ['/people/new', { email: 'new@acme.test', first_name: `A${N}`, status: 'active', role: 'employee' }, /id="person-first-name-error">First name must not contain NUL/],
    ['/software/new', { name: `Fig${N}ma`, seats_purchased: '1' }, /id="software-name-error">Name must not contain NUL/],
    ['/requests', { category: `lap${N}top`, description: 'A laptop' }, /id="req-category-error"[^>]*>[^<]*must not contain NUL/],
    [`/requests/${request.id}/reject`, { reason: `No${N}`, version: String(request.version) }, /id="reject-reason-error"[^>]*>[^<]*must not contain NUL/],
    [`/hardware/${laptop.id}/assign`, { person: 'pat@acme.test', note: `Kit${N}`, version: String(laptop.version) }, /must not contain NUL/],
    [`/software/${figma.id}/seats`, { external_email: `x${N}@elsewhere.test` }, /id="seat-external-error">[^<]*must not contain NUL/]
  ]
  for (const [url, form, message] of forms) {
    const res = await browser.post(url, form)
    t.equal(res.statusCode, 422, `${url}: ${res.statusCode}`)
    t.match(res.body, message, url)
  }
  t.same(await counts(), before, 'nothing saved')
})

t.test('a year PostgreSQL has not (0000), a five-digit year or a day that does not exist is a wrong date beside its field', async t => {
  const before = await counts()
  const message = 'must be a date \\(YYYY-MM-DD\\) from 0001-01-01 to 9999-12-31'
  for (const day of ['0000-01-01', '10000-01-01', '2026-02-30']) {
    const hardware = await browser.post('/hardware/new', { serial: 'SN-D', name: 'Dated', category: 'laptop', status: 'available', condition: 'good', purchase_date: day, warranty_end: day })
    t.equal(hardware.statusCode, 422, day)
    t.match(hardware.body, new RegExp(`id="hw-purchase-date-error">Purchase date ${message}`))
    t.match(hardware.body, new RegExp(`id="hw-warranty-end-error">Warranty ends ${message}`))
    const person = await browser.post('/people/new', { email: 'dated@acme.test', status: 'active', role: 'employee', start_date: day, end_date: day })
    t.equal(person.statusCode, 422, day)
    t.match(person.body, new RegExp(`id="person-start-date-error">Start date ${message}`))
    t.match(person.body, new RegExp(`id="person-end-date-error">End date ${message}`))
    const software = await browser.post('/software/new', { name: 'Dated', seats_purchased: '1', renewal_date: day })
    t.equal(software.statusCode, 422, day)
    t.match(software.body, new RegExp(`id="software-renewal-date-error">Renewal date ${message}`))
    const audit = await browser.get(`/audit?from=${day}`)
    t.equal(audit.statusCode, 422, `the audit log's filter: ${day}`)
    t.match(audit.body, /id="f-from-error">Enter a date as YYYY-MM-DD/)
  }
  t.same(await counts(), before, 'nothing saved')
})

t.test('a NUL in an address — a search, a filter, a sort, a cursor, an id — is a 400 page naming the parameter', async t => {
  const lists = ['/hardware', '/hardware.csv', '/people', '/people.csv', '/software', '/software.csv', '/requests', '/requests.csv', '/audit', '/settings']
  for (const list of lists) {
    for (const parameter of ['q', 'sort', 'dir', 'after', 'status', 'category', 'manufacturer', 'actor']) {
      const res = await browser.get(`${list}?${parameter}=a%00b`)
      t.equal(res.statusCode, 400, `${list}?${parameter}`)
      t.match(res.body, new RegExp(`The address of this page is not valid: ${parameter} must not contain NUL characters`))
    }
  }
  t.match((await browser.get('/hardware?q=%00')).body, 'Sign out', 'in the layout, with its menu')
  const detail = await browser.get('/hardware/%00')
  t.equal(detail.statusCode, 400)
  t.match(detail.body, 'id must not contain NUL')
  const partial = await browser.get('/hardware?q=%00', { 'hx-request': 'true', 'hx-target': 'hardware-panel' })
  t.equal(partial.statusCode, 400, 'htmx too')
  t.equal(partial.headers['hx-retarget'], '#main')
  t.equal((await browser.get('/sign-in?next=/%00')).statusCode, 400, 'the address to return to after signing in')
})

t.test('settings: the workspace name, a token name, a webhook URL and an integration setting with a NUL are refused beside the field', async t => {
  const before = await counts()
  const { name } = await app.db('workspaces').where({ id: acme.id }).first()
  const workspaceForm = await browser.post('/settings/workspace', { name: `Acme${N}`, asset_tag_prefix: 'ACME', asset_tag_digits: '6' })
  t.equal(workspaceForm.statusCode, 422)
  t.match(workspaceForm.body, 'The workspace name must not contain NUL characters')
  const token = await browser.post('/settings/api/tokens', { name: `CI${N}`, abilities: 'hardware:read' })
  t.equal(token.statusCode, 422)
  t.match(token.body, /id="token-name-error">The name must not contain NUL characters/)
  const scimToken = await browser.post('/settings/scim/tokens', { name: `Okta${N}` })
  t.equal(scimToken.statusCode, 422)
  t.match(scimToken.body, /id="scim-token-name-error">The name must not contain NUL characters/)
  const webhook = await browser.post('/settings/api/webhooks', { url: `https://hooks.example.test/a${N}b`, events: '*' })
  t.equal(webhook.statusCode, 422)
  t.match(webhook.body, /id="new-webhook-url-error">The address must not contain NUL characters/)
  const jamf = await browser.post('/settings/integrations/jamf', { tenantUrl: `https://acme${N}.jamfcloud.com`, clientId: 'id', clientSecret: 'secret' })
  t.equal(jamf.statusCode, 422)
  t.match(jamf.body, /id="jamf-tenant-url-error">Tenant URL must not contain NUL characters \(U\+0000\)\.</)
  t.same(await counts(), before, 'nothing saved')
  t.equal((await app.db('workspaces').where({ id: acme.id }).first()).name, name, 'the workspace keeps its name')
})

t.test('sign-in with a NUL in the email is refused (4xx), not a 500', async t => {
  const signIn = (await import('./helpers/session.ts')).browser(app, 'acme.localhost')
  const res = await signIn.post('/sign-in', { email: `owner${N}@acme.test`, password: 'a long enough password' })
  t.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}`)
  t.match(res.headers['content-type'], /^text\/html/)
})

t.test('every page route, with a NUL in its query, its path parameters and every field it is posted: never a 500', async t => {
  const fields = ['name', 'serial', 'email', 'first_name', 'category', 'description', 'reason', 'note', 'notes', 'url', 'events', 'q', 'person', 'external_email',
    'password', 'current_password', 'new_password', 'role', 'asset_tag_prefix', 'tenantUrl', 'clientId', 'hardware_id', 'version', 'schedule', 'group', 'next']
  const form = Object.fromEntries(fields.map(f => [f, `x${N}y`]))
  const ids: Record<string, string> = { id: laptop.id, seatId: figma.id, hardwareId: laptop.id, deliveryId: laptop.id, runId: laptop.id, action: 'map' }
  const failures: string[] = []
  let sent = 0
  for (const route of app.routeList) {
    if (/^\/(api|scim|healthz|readyz|static|public)\b/.test(route.url) || route.url.includes('*') || route.url === '/sign-out') continue
    const real = route.url.replace(/:(\w+)/g, (_m, name: string) => ids[name] ?? laptop.id)
    const variants = [`${real}?q=%00&status=%00&sort=%00&after=%00`, ...(route.url.includes(':') ? [route.url.replace(/:(\w+)/g, '%00')] : [])]
    for (const url of variants) {
      const res = route.method === 'GET' ? await browser.get(url) : await browser.post(url, {})
      sent++
      if (res.statusCode >= 500) failures.push(`${res.statusCode} ${route.method} ${url}`)
    }
    if (route.method === 'POST') {
      const res = await browser.post(real, form)
      sent++
      if (res.statusCode >= 500) failures.push(`${res.statusCode} POST ${real} (form)`)
    }
  }
  t.ok(sent > 100, `${sent} requests`)
  t.same(failures, [], 'no 5xx')
})
