import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'
import { isoTimestamp } from '../core/api/record-json.ts'

// Lists are written from Postgres' text (core/api/record-json.ts), records by the GET from
// JavaScript values: the two must agree to the byte, for every kind of column.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const api = await apiClient(app, acme.id)

const get = async (url: string) => json(await api.call('GET', url))

t.test('a list item is its record as the GET answers it, for every kind of column', async t => {
  const manager = await app.registry.people.create(acme.id, systemActor, { email: 'mia@acme.test', first_name: 'Mia' })
  const person = await app.registry.people.create(acme.id, systemActor, {
    email: 'pat@acme.test',
    first_name: 'Pat "the laptop" O\'Neil',
    last_name: 'Ünal\n',
    manager_id: manager.id,
    start_date: '2024-02-29',
    source_ids: { okta: '00u1', nested: { a: [1, 2] } }
  })
  const hardware = await app.registry.hardware.create(acme.id, systemActor, {
    serial: 'C02\\X',
    name: 'MacBook "Pro" 14 ✓',
    purchase_price: 1299.5,
    purchase_date: '2025-01-31',
    warranty_end: '2028-01-31',
    mac_address: '3c:22:fb:0a:1b:2c',
    specifications: { ram_gb: 32, cpu: 'M3', list: ['a', null, true] },
    notes: 'tab\there'
  })
  await app.registry.hardware.assign(acme.id, systemActor, hardware.id, person.id, { note: 'Day one', acknowledged: true })
  const software = await app.registry.software.create(acme.id, systemActor, { name: 'Figma', seats_purchased: 10, cost_per_seat: 15 })
  await app.registry.software.assignSeat(acme.id, systemActor, software.id, { userId: person.id }, { lastActiveAt: '2026-11-01T08:30:00.123456Z' })
  await app.registry.software.assignSeat(acme.id, systemActor, software.id, { externalEmail: 'guest@partner.test' })
  await app.registry.requests.create(acme.id, systemActor, { requester_id: person.id, category: 'laptop', description: null })

  for (const resource of ['hardware', 'users', 'requests', 'assignments']) {
    const list = await get(`/api/${resource}?limit=200`)
    t.ok(list.data.length > 0, `${resource}: listed`)
    for (const item of list.data) t.strictSame(item, await get(`/api/${resource}/${item.id}`), `${resource} ${item.id}: the list item is the record`)
  }
  const listed = (await get('/api/hardware?limit=200')).data.find((h: { id: string }) => h.id === hardware.id)
  t.equal(listed.purchase_price, 1299.5, 'numeric is a JSON number')
  t.match(listed.assigned_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'timestamps in ISO form with milliseconds')
})

t.test('timestamps as Postgres prints them become ISO text, whatever the session time zone', async t => {
  t.equal(isoTimestamp('2026-11-24 02:51:16.091383+00'), '2026-11-24T02:51:16.091Z', 'microseconds are cut to milliseconds')
  t.equal(isoTimestamp('2026-11-24 02:51:16.5+00'), '2026-11-24T02:51:16.500Z')
  t.equal(isoTimestamp('2026-11-24 02:51:16+00'), '2026-11-24T02:51:16.000Z')
  t.equal(isoTimestamp('2026-11-24 03:51:16.25+01'), '2026-11-24T02:51:16.250Z', 'another offset is read, not copied')
  t.equal(isoTimestamp('2026-11-23 21:21:16+05:30'), new Date('2026-11-23T21:21:16+05:30').toISOString())
})
