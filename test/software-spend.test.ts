// What software costs: every purchased seat (what is paid), with assigned and idle beside it; a
// seat handed out in the last 30 days is not idle yet; every amount carries the workspace currency
// (a super admin's setting, an ISO 4217 code) on the pages and in the API.
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, json } from './helpers/api.ts'
import { signIn } from './helpers/session.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const { people, software, hardware } = app.registry
const sue = await people.create(acme.id, systemActor, { email: 'sue@acme.test', first_name: 'Sue', role: 'super-admin' })
const [old, fresh, busy] = await Promise.all(['old', 'fresh', 'busy'].map(async name => await people.create(acme.id, systemActor, { email: `${name}@acme.test`, first_name: name })))
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000)

const figma = await software.create(acme.id, systemActor, { name: 'Figma', seats_purchased: 10, cost_per_seat: 15.5 })
const seat = async (userId: string, assignedDaysAgo: number, lastActiveAt?: Date) => {
  const s = await software.assignSeat(acme.id, systemActor, figma.id, { userId }, lastActiveAt ? { lastActiveAt } : {})
  await app.db('software_assignments').where({ workspace_id: acme.id, id: s.id }).update({ assigned_at: daysAgo(assignedDaysAgo) })
}
await seat(old.id, 40) // held 40 days, never used: idle
await seat(fresh.id, 5) // handed out 5 days ago, not used yet: not idle yet
await seat(busy.id, 90, daysAgo(1)) // used yesterday
const mac = await hardware.create(acme.id, systemActor, { serial: 'C02SPEND', name: 'MacBook', purchase_price: 1299 })

const asSue = await signIn(app, { slug: 'acme', workspaceId: acme.id, userId: sue.id })
const api = await apiClient(app, acme.id)

t.test('monthly spend is every purchased seat; a seat assigned lately is not idle', async t => {
  t.match(await software.get(acme.id, figma.id), { seats_assigned: 3, seats_active: 1, seats_idle: 1, monthly_spend: 155, currency: 'USD' })
  t.same(await software.idleSeats(acme.id), { seats: 1, monthlyCost: 15.5 })

  const list = await asSue.get('/software')
  t.match(list.body, /US\$15\.50<\/td>\s*<td class="num">US\$155\.00<span class="cell-note">10 paid · 3 assigned · 1 idle<\/span><\/td>/, 'spend with what it counts beside it')
  t.match(list.body, /id="idle-summary">1 held seat is idle \(held for 30 days or more and not used in the last 30\), costing <strong>US\$15\.50<\/strong> a month/)
  const detail = await asSue.get(`/software/${figma.id}`)
  t.match(detail.body, 'id="monthly-spend">US$155.00</p>')
  t.match(detail.body, '10 purchased seats × US$15.50 · 3 assigned · 1 idle, costing <strong id="idle-cost">US$15.50</strong>')
  t.match(detail.body, /1 active in the last 30 days · <span id="idle-count">1<\/span> idle/)
  t.match((await asSue.get('/')).body, /id="idle-seats">1<\/p>[\s\S]*?costing <strong id="idle-cost">US\$15\.50<\/strong>/)

  const res = await api.call('GET', `/api/software/${figma.id}`)
  t.match(json(res), { cost_per_seat: 15.5, monthly_spend: 155, currency: 'USD', seats_assigned: 3, seats_active: 1, seats_idle: 1 })
  t.match(json(await api.call('GET', '/api/software')).data, [{ name: 'Figma', monthly_spend: 155, currency: 'USD' }])
})

t.test('the workspace currency: an ISO 4217 code, shown with every amount', async t => {
  const settings = await asSue.get('/settings')
  t.match(settings.body, /<input id="ws-currency" name="currency" value="USD"/)
  for (const bad of ['EURO', 'ABC', '€']) {
    const res = await asSue.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6', currency: bad })
    t.equal(res.statusCode, 422, bad)
    t.match(res.body, '<p class="field-error" id="ws-currency-error">The currency must be a three-letter ISO 4217 code, such as EUR, GBP or USD.</p>')
  }
  t.equal((await app.db('workspaces').where({ id: acme.id }).first()).currency, 'USD', 'nothing saved')

  const saved = await asSue.post('/settings/workspace', { name: 'Acme', asset_tag_prefix: 'ACME-', asset_tag_digits: '6', currency: 'eur' })
  t.equal(saved.statusCode, 303)
  t.equal((await app.db('workspaces').where({ id: acme.id }).first()).currency, 'EUR')
  t.match(await app.db('audit_log').where({ workspace_id: acme.id, action: 'workspace.updated' }).first(), { changes: { currency: { old: 'USD', new: 'EUR' } } })

  t.match((await asSue.get('/software')).body, '€155.00')
  t.match((await asSue.get(`/software/${figma.id}`)).body, 'id="monthly-spend">€155.00</p>')
  t.match((await asSue.get(`/hardware/${mac.id}`)).body, /<dt>Purchase price<\/dt><dd>€1,299\.00<\/dd>/)
  t.match((await asSue.get(`/hardware/${mac.id}/edit`)).body, 'In EUR (the workspace currency, set in Settings)')
  t.match((await asSue.get(`/software/${figma.id}/edit`)).body, 'A month, in EUR (the workspace currency, set in Settings)')
  t.match((await asSue.get('/')).body, 'costing <strong id="idle-cost">€15.50</strong>')
  t.match(json(await api.call('GET', `/api/software/${figma.id}`)), { monthly_spend: 155, currency: 'EUR' })
})
