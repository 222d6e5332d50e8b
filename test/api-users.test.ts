import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const api = await apiClient(app, acme.id)
const stranger = await app.registry.people.create(other.id, systemActor, { email: 'sam@other.test' })

t.test('create, get, list and update people', async t => {
  const res = await api.call('POST', '/api/users', { email: 'ada@acme.test', first_name: 'Ada', last_name: 'Lovelace', department: 'Eng' })
  t.equal(res.statusCode, 201)
  const ada = json(res)
  t.match(ada, { email: 'ada@acme.test', role: 'employee', status: 'active', version: 1 })
  t.equal(res.headers.location, `/api/users/${ada.id}`)
  await api.call('POST', '/api/users', { email: 'bob@acme.test', first_name: 'Bob', last_name: 'Babbage', department: 'Ops' })
  await api.call('POST', '/api/users', { email: 'cy@acme.test', last_name: 'Cyrus' })

  t.equal(json(await api.call('GET', `/api/users/${ada.id}`)).email, 'ada@acme.test')
  const names = json(await api.call('GET', '/api/users')).data.map((p: { last_name: string }) => p.last_name)
  t.same(names, ['Babbage', 'Cyrus', 'Lovelace'], 'name order')
  const page1 = json(await api.call('GET', '/api/users?sort=email&limit=2'))
  t.same(page1.data.map((p: { email: string }) => p.email), ['ada@acme.test', 'bob@acme.test'])
  const page2 = json(await api.call('GET', `/api/users?sort=email&limit=2&cursor=${page1.next}`))
  t.same(page2.data.map((p: { email: string }) => p.email), ['cy@acme.test'])
  t.equal(page2.next, null)
  t.same(json(await api.call('GET', '/api/users?department=Ops')).data.map((p: { email: string }) => p.email), ['bob@acme.test'])
  t.same(json(await api.call('GET', '/api/users?email=ADA@acme.test')).data.map((p: { id: string }) => p.id), [ada.id])

  const patched = await api.call('PATCH', `/api/users/${ada.id}`, { job_title: 'Engineer' }, { 'if-match': '"1"' })
  t.match(json(patched), { job_title: 'Engineer', version: 2 })
  isProblem(t, await api.call('PATCH', `/api/users/${ada.id}`, { job_title: 'Stale' }, { 'if-match': '"1"' }), 412)
})

t.test('refusals name field and rule; roles cannot be set through the API', async t => {
  isProblem(t, await api.call('POST', '/api/users', { first_name: 'No email' }), 400, 'email', 'required')
  isProblem(t, await api.call('POST', '/api/users', { email: 'not-an-email' }), 400, 'email', 'format')
  isProblem(t, await api.call('POST', '/api/users', { email: 'boss@acme.test', role: 'super-admin' }), 400, 'role', 'unknown')
  isProblem(t, await api.call('POST', '/api/users', { email: 'ADA@acme.test' }), 422, 'email', 'unique')
  const [ada] = json(await api.call('GET', '/api/users?email=ada@acme.test')).data
  isProblem(t, await api.call('PATCH', `/api/users/${ada.id}`, { role: 'super-admin' }), 400, 'role', 'unknown')
  isProblem(t, await api.call('PATCH', `/api/users/${ada.id}`, { manager_id: stranger.id }), 422, 'manager_id', 'exists')
  isProblem(t, await api.call('PATCH', `/api/users/${ada.id}`, { start_date: '2024-05-01', end_date: '2024-01-01' }), 422, 'end_date', 'range')
  t.equal((await app.registry.people.get(acme.id, ada.id)).role, 'employee')
  t.equal(await app.db('users').where({ workspace_id: acme.id, email: 'boss@acme.test' }).first(), undefined)
})

t.test('offboard reports what the person holds and emits user.offboarded once', async t => {
  const person = await app.registry.people.create(acme.id, systemActor, { email: 'leaver@acme.test' })
  const hw = await app.registry.hardware.create(acme.id, systemActor, { serial: 'LEAVER-1', name: 'Laptop' })
  await app.registry.hardware.assign(acme.id, systemActor, hw.id, person.id)
  const figma = await app.registry.software.create(acme.id, systemActor, { name: 'Figma' })
  await app.registry.software.assignSeat(acme.id, systemActor, figma.id, { userId: person.id })

  const res = await api.call('POST', `/api/users/${person.id}/offboard`)
  t.equal(res.statusCode, 200)
  const body = json(res)
  t.match(body.person, { id: person.id, status: 'offboarded' })
  t.same(body.hardware.map((h: { id: string }) => h.id), [hw.id])
  t.match(body.seats, [{ software_id: figma.id, software_name: 'Figma' }])
  t.equal(json(await api.call('POST', `/api/users/${person.id}/offboard`)).person.status, 'offboarded', 'twice is harmless')
  const events = await app.db('events').where({ workspace_id: acme.id, type: 'user.offboarded' }).whereRaw("payload->>'id' = ?", [person.id])
  t.equal(events.length, 1)
  isProblem(t, await api.call('POST', `/api/users/${person.id}/offboard`, { version: 1 }), 409, 'version', 'stale')
})

t.test('another workspace\'s people are not found', async t => {
  isProblem(t, await api.call('GET', `/api/users/${stranger.id}`), 404)
  isProblem(t, await api.call('PATCH', `/api/users/${stranger.id}`, { first_name: 'X' }), 404)
  isProblem(t, await api.call('POST', `/api/users/${stranger.id}/offboard`), 404)
  t.equal((await app.registry.people.get(other.id, stranger.id)).status, 'active')
  t.notOk(json(await api.call('GET', '/api/users?limit=200')).data.some((p: { id: string }) => p.id === stranger.id))
})
