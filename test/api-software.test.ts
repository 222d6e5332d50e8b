import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const api = await apiClient(app, acme.id)
const pat = await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test' })
const theirs = await app.registry.software.create(other.id, systemActor, { name: 'Theirs' })
const theirSeat = await app.registry.software.assignSeat(other.id, systemActor, theirs.id, { externalEmail: 'x@other.test' })

t.test('software: create, get, list, update', async t => {
  const res = await api.call('POST', '/api/software', { name: 'Figma', vendor: 'Figma', seats_purchased: 10, cost_per_seat: 12.5 })
  t.equal(res.statusCode, 201)
  const figma = json(res)
  t.match(figma, { name: 'Figma', seats_purchased: 10, cost_per_seat: 12.5, seats_assigned: 0, version: 1 })
  await api.call('POST', '/api/software', { name: 'Asana', vendor: 'Asana' })
  t.same(json(await api.call('GET', '/api/software')).data.map((s: { name: string }) => s.name), ['Asana', 'Figma'])
  t.same(json(await api.call('GET', '/api/software?vendor=Figma')).data.map((s: { name: string }) => s.name), ['Figma'])
  const first = json(await api.call('GET', '/api/software?limit=1'))
  t.same(json(await api.call('GET', `/api/software?limit=1&cursor=${first.next}`)).data.map((s: { name: string }) => s.name), ['Figma'])
  const patched = await api.call('PATCH', `/api/software/${figma.id}`, { seats_purchased: 12, version: 1 })
  t.match(json(patched), { seats_purchased: 12, version: 2 })
  t.equal(patched.headers.etag, '"2"')
  isProblem(t, await api.call('PATCH', `/api/software/${figma.id}`, { seats_purchased: -1 }), 400, 'seats_purchased', 'minimum')
  isProblem(t, await api.call('POST', '/api/software', { name: 'figma' }), 422, 'name', 'unique')
  isProblem(t, await api.call('POST', '/api/software', { vendor: 'Nameless' }), 400, 'name', 'required')
  isProblem(t, await api.call('GET', `/api/software/${theirs.id}`), 404)
})

t.test('assignments: assign, list by software and user, get, revoke by DELETE and POST', async t => {
  const [figma] = json(await api.call('GET', '/api/software?vendor=Figma')).data
  const res = await api.call('POST', '/api/assignments', { software_id: figma.id, user_id: pat.id, last_active_at: '2025-01-02T03:04:05Z' })
  t.equal(res.statusCode, 201)
  const seat = json(res)
  t.match(seat, { software_id: figma.id, user_id: pat.id, external_email: null, revoked_at: null })
  t.equal(res.headers.location, `/api/assignments/${seat.id}`)
  const guest = json(await api.call('POST', '/api/assignments', { software_id: figma.id, external_email: 'guest@agency.test' }))
  t.ok(await app.db('events').where({ workspace_id: acme.id, type: 'software.assigned' }).whereRaw("payload->>'id' = ?", [seat.id]).first())

  isProblem(t, await api.call('POST', '/api/assignments', { software_id: figma.id, user_id: pat.id }), 422, 'user_id', 'unique')
  isProblem(t, await api.call('POST', '/api/assignments', { software_id: theirs.id, user_id: pat.id }), 422, 'software_id', 'exists')
  isProblem(t, await api.call('POST', '/api/assignments', { software_id: figma.id }), 422, 'user_id', 'required')
  isProblem(t, await api.call('POST', '/api/assignments', { user_id: pat.id }), 400, 'software_id', 'required')
  isProblem(t, await api.call('POST', '/api/assignments', { software_id: figma.id, user_id: pat.id, seat: 1 }), 400, 'seat', 'unknown')

  t.same(json(await api.call('GET', `/api/assignments?software_id=${figma.id}`)).data.map((s: { id: string }) => s.id), [seat.id, guest.id])
  t.same(json(await api.call('GET', `/api/assignments?user_id=${pat.id}`)).data.map((s: { id: string }) => s.id), [seat.id])
  t.equal(json(await api.call('GET', `/api/assignments/${seat.id}`)).id, seat.id)
  t.equal(json(await api.call('GET', `/api/software/${figma.id}`)).seats_assigned, 2)

  const revoked = await api.call('DELETE', `/api/assignments/${seat.id}`)
  t.equal(revoked.statusCode, 200)
  t.ok(json(revoked).revoked_at)
  isProblem(t, await api.call('DELETE', `/api/assignments/${seat.id}`), 422, 'revoked_at', 'transition')
  t.ok(json(await api.call('POST', `/api/assignments/${guest.id}/revoke`)).revoked_at)
  t.equal(json(await api.call('GET', `/api/assignments?software_id=${figma.id}`)).data.length, 0, 'revoked seats are left out')
  t.equal(json(await api.call('GET', `/api/assignments?software_id=${figma.id}&include_revoked=true`)).data.length, 2)
  t.equal(await app.db('events').where({ workspace_id: acme.id, type: 'software.revoked' }).count({ n: '*' }).then(r => Number(r[0].n)), 2)
})

t.test('another workspace\'s seats are not found', async t => {
  isProblem(t, await api.call('GET', `/api/assignments/${theirSeat.id}`), 404)
  isProblem(t, await api.call('DELETE', `/api/assignments/${theirSeat.id}`), 404)
  isProblem(t, await api.call('POST', `/api/assignments/${theirSeat.id}/revoke`), 404)
  t.equal(json(await api.call('GET', `/api/assignments?software_id=${theirs.id}`)).data.length, 0)
  t.equal((await app.db('software_assignments').where({ id: theirSeat.id }).first()).revoked_at, null)
})
