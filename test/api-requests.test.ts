import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { apiClient, isProblem, json } from './helpers/api.ts'
import { systemActor } from '../core/audit/index.ts'

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')
const other = await workspace('other')
const api = await apiClient(app, acme.id)
const pat = await app.registry.people.create(acme.id, systemActor, { email: 'pat@acme.test' })
const gone = await app.registry.people.create(acme.id, systemActor, { email: 'gone@acme.test', status: 'offboarded' })
const stranger = await app.registry.people.create(other.id, systemActor, { email: 'sam@other.test' })
const theirRequest = await app.registry.requests.create(other.id, systemActor, { requester_id: stranger.id, category: 'phone' })

const create = async (category: string) => json(await api.call('POST', '/api/requests', { requester_id: pat.id, category, description: `A ${category}` }))

t.test('create, list newest first with filters and cursor, get', async t => {
  const res = await api.call('POST', '/api/requests', { requester_id: pat.id, category: 'laptop' })
  t.equal(res.statusCode, 201)
  const laptop = json(res)
  t.match(laptop, { requester_id: pat.id, category: 'laptop', status: 'created', version: 1 })
  const monitor = await create('monitor')
  const list = json(await api.call('GET', '/api/requests'))
  t.same(list.data.map((r: { id: string }) => r.id), [monitor.id, laptop.id])
  const first = json(await api.call('GET', '/api/requests?limit=1'))
  t.same(json(await api.call('GET', `/api/requests?limit=1&cursor=${first.next}`)).data.map((r: { id: string }) => r.id), [laptop.id])
  t.equal(json(await api.call('GET', `/api/requests?requester_id=${pat.id}&status=created`)).data.length, 2)
  t.equal(json(await api.call('GET', '/api/requests?status=approved')).data.length, 0)
  t.equal(json(await api.call('GET', `/api/requests/${laptop.id}`)).id, laptop.id)
  t.ok(await app.db('events').where({ workspace_id: acme.id, type: 'asset_request.created' }).whereRaw("payload->>'id' = ?", [laptop.id]).first())

  isProblem(t, await api.call('POST', '/api/requests', { requester_id: pat.id }), 400, 'category', 'required')
  isProblem(t, await api.call('POST', '/api/requests', { requester_id: gone.id, category: 'x' }), 422, 'requester_id', 'active')
  isProblem(t, await api.call('POST', '/api/requests', { requester_id: stranger.id, category: 'x' }), 422, 'requester_id', 'exists')
  isProblem(t, await api.call('POST', '/api/requests', { requester_id: pat.id, category: 'x', status: 'approved' }), 400, 'status', 'unknown')
})

t.test('approve, fulfil with hardware; reject with a reason; moves the status does not allow are refused', async t => {
  const laptop = await create('laptop2')
  const hw = await app.registry.hardware.create(acme.id, systemActor, { serial: 'REQ-1', name: 'Laptop' })
  isProblem(t, await api.call('POST', `/api/requests/${laptop.id}/fulfil`, { hardware_id: hw.id }), 422, 'status', 'transition')
  const approved = await api.call('POST', `/api/requests/${laptop.id}/approve`, {}, { 'if-match': '"1"' })
  t.match(json(approved), { status: 'approved', version: 2, decided_by: null })
  t.ok(json(approved).decided_at)
  isProblem(t, await api.call('POST', `/api/requests/${laptop.id}/approve`, { version: 1 }), 409, 'version', 'stale')
  isProblem(t, await api.call('POST', `/api/requests/${laptop.id}/fulfil`, {}), 400, 'hardware_id', 'required')
  isProblem(t, await api.call('POST', `/api/requests/${laptop.id}/fulfil`, { hardware_id: '00000000-0000-4000-8000-000000000000' }), 422, 'hardware_id', 'exists')
  const fulfilled = await api.call('POST', `/api/requests/${laptop.id}/fulfil`, { hardware_id: hw.id, version: 2 })
  t.match(json(fulfilled), { status: 'fulfilled', fulfilled_hardware_id: hw.id })
  t.match(await app.registry.hardware.get(acme.id, hw.id), { status: 'assigned', assigned_user_id: pat.id })

  const chair = await create('chair')
  isProblem(t, await api.call('POST', `/api/requests/${chair.id}/reject`, {}), 400, 'reason', 'required')
  isProblem(t, await api.call('POST', `/api/requests/${chair.id}/reject`, { reason: '' }), 400, 'reason', 'required')
  t.match(json(await api.call('POST', `/api/requests/${chair.id}/reject`, { reason: 'Not in budget' })), { status: 'rejected', rejection_reason: 'Not in budget' })
  isProblem(t, await api.call('POST', `/api/requests/${chair.id}/approve`), 422, 'status', 'transition')
  const types = await app.db('events').where({ workspace_id: acme.id }).whereIn('type', ['asset_request.approved', 'asset_request.fulfilled', 'asset_request.rejected']).pluck('type')
  t.same(types.sort(), ['asset_request.approved', 'asset_request.fulfilled', 'asset_request.rejected'])
})

t.test('another workspace\'s requests are not found', async t => {
  isProblem(t, await api.call('GET', `/api/requests/${theirRequest.id}`), 404)
  isProblem(t, await api.call('POST', `/api/requests/${theirRequest.id}/approve`), 404)
  isProblem(t, await api.call('POST', `/api/requests/${theirRequest.id}/reject`, { reason: 'no' }), 404)
  t.equal((await app.registry.requests.get(other.id, theirRequest.id)).status, 'created')
})
