import t from 'tap'
import type { Actor } from '../core/audit/index.ts'
import { ConflictError, NotFoundError } from '../core/register/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { writeProbe } from './helpers/register.ts'

const { app, workspace } = await buildTestApp(t)
const { people, hardware, requests } = app.registry
const acme = (await workspace('acme')).id
const globex = (await workspace('globex')).id
const system: Actor = { type: 'system', id: null, label: 'Stocktake' }
const manager = await people.create(acme, system, { email: 'manager@acme.test', role: 'it-admin' })
const actor: Actor = { type: 'user', id: manager.id, label: 'manager@acme.test' }
const alice = await people.create(acme, actor, { email: 'alice@acme.test', first_name: 'Alice' })

const { counts, rejects } = writeProbe(app, ['asset_requests', 'hardware', 'hardware_assignments', 'audit_log', 'events'], [
  '(SELECT coalesce(sum(version), 0) FROM asset_requests WHERE workspace_id = :ws)::int AS request_versions',
  '(SELECT coalesce(sum(version), 0) FROM hardware WHERE workspace_id = :ws)::int AS hardware_versions'
])

const eventsOf = (ws: string, since: number) => app.db('events').where({ workspace_id: ws }).where('sequence', '>', since).orderBy('sequence')
const lastSequence = async (ws: string): Promise<number> => (await app.db('events').where({ workspace_id: ws }).max('sequence as max').first())?.max ?? 0
const audit = (ws: string, targetId: string) => app.db('audit_log').where({ workspace_id: ws, target_id: targetId }).orderBy('id')
const newRequest = () => requests.create(acme, actor, { requester_id: alice.id, category: 'laptop', description: 'A MacBook for design work' })

t.test('create writes the request, an audit entry and asset_request.created', async t => {
  const since = await lastSequence(acme)
  const request = await newRequest()
  t.match(request, { requester_id: alice.id, category: 'laptop', status: 'created', decided_by: null, version: 1 })
  t.same(await requests.get(acme, request.id), request)
  t.match(await audit(acme, request.id), [{ action: 'asset_request.created', target_type: 'asset_request' }])
  t.match(await eventsOf(acme, since), [{ type: 'asset_request.created', payload: { id: request.id, status: 'created' } }])
})

t.test('bad input is rejected naming field and rule, and writes nothing', async t => {
  const create = (input: object) => () => requests.create(acme, actor, input as never)
  await rejects(t, acme, create({ requester_id: alice.id }), 'category', 'required')
  await rejects(t, acme, create({ requester_id: 'alice', category: 'laptop' }), 'requester_id', 'format')
  await rejects(t, acme, create({ requester_id: alice.id, category: 'laptop', urgent: true }), 'urgent', 'unknown')
  const outsider = await people.create(globex, actor, { email: 'outsider@globex.test' })
  await rejects(t, acme, create({ requester_id: outsider.id, category: 'laptop' }), 'requester_id', 'exists')
  const leaver = await people.create(acme, actor, { email: 'leaver@acme.test' })
  await people.offboard(acme, actor, leaver.id)
  await rejects(t, acme, create({ requester_id: leaver.id, category: 'laptop' }), 'requester_id', 'active')
  const request = await newRequest()
  await rejects(t, acme, () => requests.reject(acme, actor, request.id, '  '), 'reason', 'required')
})

t.test('approve and reject record the decision and emit their events', async t => {
  const first = await newRequest()
  let since = await lastSequence(acme)
  const approved = await requests.approve(acme, actor, first.id, { expectedVersion: 1 })
  t.match(approved, { status: 'approved', decided_by: manager.id, version: 2 })
  t.ok(approved.decided_at instanceof Date)
  t.match((await audit(acme, first.id)).at(-1), { action: 'asset_request.approved', actor_id: manager.id, changes: { status: { old: 'created', new: 'approved' } } })
  t.match(await eventsOf(acme, since), [{ type: 'asset_request.approved', payload: { id: first.id, status: 'approved' } }])

  since = await lastSequence(acme)
  const rejected = await requests.reject(acme, system, first.id, 'Budget frozen')
  t.match(rejected, { status: 'rejected', rejection_reason: 'Budget frozen', decided_by: null, version: 3 })
  t.match((await audit(acme, first.id)).at(-1), { action: 'asset_request.rejected', changes: { rejection_reason: { old: null, new: 'Budget frozen' } } })
  t.match(await eventsOf(acme, since), [{ type: 'asset_request.rejected', payload: { rejection_reason: 'Budget frozen' } }])

  const second = await newRequest()
  t.equal((await requests.reject(acme, actor, second.id, 'Not needed')).status, 'rejected', 'created can be rejected too')
})

t.test('fulfil assigns the hardware to the requester and emits both events, in one transaction', async t => {
  const laptop = await hardware.create(acme, actor, { serial: 'REQ-1', name: 'MacBook Air' })
  const request = await newRequest()
  await requests.approve(acme, actor, request.id)
  const since = await lastSequence(acme)
  const fulfilled = await requests.fulfil(acme, actor, request.id, laptop.id)
  t.match(fulfilled, { status: 'fulfilled', fulfilled_hardware_id: laptop.id, decided_by: manager.id, version: 3 })
  t.ok(fulfilled.fulfilled_at instanceof Date)
  t.match(await hardware.get(acme, laptop.id), { status: 'assigned', assigned_user_id: alice.id })
  t.match(await app.db('hardware_assignments').where({ workspace_id: acme, hardware_id: laptop.id }), [{ user_id: alice.id, recovered_at: null }])
  const events = await eventsOf(acme, since)
  t.same(events.map(e => e.type), ['hardware.assigned', 'asset_request.fulfilled'])
  t.match(events[0].payload, { id: laptop.id, assigned_user_id: alice.id })
  t.match(events[1].payload, { id: request.id, fulfilled_hardware_id: laptop.id })
  t.match((await audit(acme, laptop.id)).at(-1), { action: 'hardware.assigned' })
  t.match((await audit(acme, request.id)).at(-1), { action: 'asset_request.fulfilled' })
})

t.test('illegal transitions and failed fulfilments write nothing', async t => {
  const laptop = await hardware.create(acme, actor, { serial: 'REQ-2', name: 'ThinkPad' })
  const rejected = await newRequest()
  await requests.reject(acme, actor, rejected.id, 'No')
  await rejects(t, acme, () => requests.fulfil(acme, actor, rejected.id, laptop.id), 'status', 'transition', 'cannot go from rejected to fulfilled')
  await rejects(t, acme, () => requests.approve(acme, actor, rejected.id), 'status', 'transition', 'cannot go from rejected to approved')
  const created = await newRequest()
  await rejects(t, acme, () => requests.fulfil(acme, actor, created.id, laptop.id), 'status', 'transition', 'cannot go from created to fulfilled')
  await requests.approve(acme, actor, created.id)
  await rejects(t, acme, () => requests.approve(acme, actor, created.id), 'status', 'transition', 'cannot go from approved to approved')

  const taken = await hardware.create(acme, actor, { serial: 'REQ-3', name: 'Taken' })
  await hardware.assign(acme, actor, taken.id, manager.id)
  await rejects(t, acme, () => requests.fulfil(acme, actor, created.id, taken.id), 'status', 'transition', 'already assigned')
  const theirs = await hardware.create(globex, actor, { serial: 'GLX-1', name: 'Globex laptop' })
  await rejects(t, acme, () => requests.fulfil(acme, actor, created.id, theirs.id), 'hardware_id', 'exists')
  await rejects(t, acme, () => requests.fulfil(acme, actor, created.id, 'laptop'), 'hardware_id', 'format')
  t.equal((await requests.get(acme, created.id)).status, 'approved', 'still waiting')

  await requests.fulfil(acme, actor, created.id, laptop.id)
  await rejects(t, acme, () => requests.reject(acme, actor, created.id, 'Too late'), 'status', 'transition', 'cannot go from fulfilled to rejected')
})

t.test('a stale version is a conflict', async t => {
  const request = await newRequest()
  await requests.approve(acme, actor, request.id)
  const before = await counts(acme)
  const err = await requests.reject(acme, actor, request.id, 'Changed my mind', { expectedVersion: 1 }).catch(e => e)
  t.type(err, ConflictError)
  t.equal(err.statusCode, 409)
  t.same(await counts(acme), before)
})

t.test("another workspace's request is not found", async t => {
  const outsider = await people.create(globex, system, { email: 'requester@globex.test' })
  const theirs = await requests.create(globex, system, { requester_id: outsider.id, category: 'phone' })
  const laptop = await hardware.create(acme, actor, { serial: 'REQ-9', name: 'Spare' })
  const before = await counts(acme)
  for (const call of [
    () => requests.get(acme, theirs.id),
    () => requests.approve(acme, actor, theirs.id),
    () => requests.reject(acme, actor, theirs.id, 'No'),
    () => requests.fulfil(acme, actor, theirs.id, laptop.id)
  ]) {
    const err = await call().catch(e => e)
    t.type(err, NotFoundError)
    t.equal(err.statusCode, 404)
  }
  t.same(await counts(acme), before)
  t.notOk((await requests.list(acme, { limit: 500 })).some(r => r.id === theirs.id))
  t.same((await requests.list(globex)).map(r => r.id), [theirs.id])
  t.ok((await requests.list(acme, { status: 'fulfilled', requesterId: alice.id })).length >= 2)
})
