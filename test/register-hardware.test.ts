import t from 'tap'
import type { Actor } from '../core/audit/index.ts'
import { ConflictError, NotFoundError, ValidationError } from '../core/register/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { writeProbe } from './helpers/register.ts'

const { app, workspace } = await buildTestApp(t)
const { hardware, people } = app.registry
const actor: Actor = { type: 'user', id: null, label: 'Ada Admin' }
const acme = (await workspace('acme')).id
const globex = (await workspace('globex')).id
const alice = await people.create(acme, actor, { email: 'alice@acme.test', first_name: 'Alice' })

const { counts, rejects } = writeProbe(app, ['users', 'hardware', 'hardware_assignments', 'audit_log', 'events', 'workspaces'], [
  '(SELECT asset_tag_next FROM workspaces WHERE id = :ws)::int AS asset_tag_next'
])

const audit = (ws: string, targetId: string) => app.db('audit_log').where({ workspace_id: ws, target_id: targetId }).orderBy('id')
const events = (ws: string, id: string) => app.db('events').where({ workspace_id: ws }).whereRaw("payload->>'id' = ?", [id]).orderBy('sequence')

t.test('create writes the row, an audit entry and a hardware.created event', async t => {
  const before = await counts(acme)
  const hw = await hardware.create(acme, actor, {
    serial: ' C02XYZ ', name: 'MacBook Pro', purchase_price: 1999.5, mac_address: '3c22fb0a1b2c', specifications: { chip: 'M3' }, purchase_date: '2024-03-01'
  })
  t.match(hw, { serial: 'C02XYZ', name: 'MacBook Pro', status: 'available', condition: 'good', category: 'other', version: 1 })
  t.equal(hw.asset_tag, 'ACME-000001')
  t.equal(hw.purchase_price, 1999.5, 'numeric comes back as a number')
  t.equal(hw.mac_address, '3C:22:FB:0A:1B:2C')
  t.equal(hw.purchase_date, '2024-03-01')
  t.same(await hardware.get(acme, hw.id), hw)
  const after = await counts(acme)
  t.equal(after.hardware, before.hardware + 1)
  const [entry] = await audit(acme, hw.id)
  t.match(entry, { action: 'hardware.created', target_type: 'hardware', target_label: 'ACME-000001 MacBook Pro', actor_label: 'Ada Admin' })
  const [event] = await events(acme, hw.id)
  t.equal(event.type, 'hardware.created')
  t.match(event.payload, { id: hw.id, asset_tag: 'ACME-000001', purchase_price: 1999.5 })
})

t.test('bad input is rejected naming field and rule, all at once, and writes nothing', async t => {
  const create = (input: object) => () => hardware.create(acme, actor, input as never)
  await rejects(t, acme, create({ name: 'x' }), 'serial', 'required')
  await rejects(t, acme, create({ serial: '   ', name: 'x' }), 'serial', 'required')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', colour: 'red' }), 'colour', 'unknown')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', status: 'borrowed' }), 'status', 'enum')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', condition: 'mint' }), 'condition', 'enum')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', purchase_price: -1 }), 'purchase_price', 'minimum')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', purchase_price: '12' }), 'purchase_price', 'type')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', mac_address: 'not-a-mac' }), 'mac_address', 'format')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', warranty_end: '2024-02-30' }), 'warranty_end', 'format')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', specifications: 'fast' }), 'specifications', 'type')
  await rejects(t, acme, create({ serial: 'S-1', name: 'x', status: 'assigned' }), 'status', 'transition')
  const err: ValidationError = await hardware.create(acme, actor, { purchase_price: -5, colour: 'red' } as never).catch(e => e)
  t.same(err.errors.map(e => `${e.field}/${e.rule}`).sort(), ['colour/unknown', 'name/required', 'purchase_price/minimum', 'serial/required'])
})

t.test('a duplicate serial is refused and gives its asset tag number back', async t => {
  const first = await hardware.create(acme, actor, { serial: 'DUP-1', name: 'ThinkPad' })
  await rejects(t, acme, () => hardware.create(acme, actor, { serial: 'DUP-1', name: 'Another' }), 'serial', 'unique')
  const next = await hardware.create(acme, actor, { serial: 'DUP-2', name: 'ThinkPad' })
  t.equal(Number(next.asset_tag.slice(5)), Number(first.asset_tag.slice(5)) + 1, 'no gap after the failed create')
  await rejects(t, acme, () => hardware.update(acme, actor, next.id, { serial: 'DUP-1' }), 'serial', 'unique')
})

t.test('a serial is one device whatever its case or Unicode form; stored as entered, trimmed and in NFC', async t => {
  const mac = await hardware.create(acme, actor, { serial: 'C02CASE1', name: 'MacBook' })
  await rejects(t, acme, () => hardware.create(acme, actor, { serial: 'c02case1', name: 'Same Mac, typed small' }), 'serial', 'unique')
  const err: ValidationError = await hardware.create(acme, actor, { serial: ' C02Case1 ', name: 'x' }).catch(e => e)
  t.match(err.errors, [{ field: 'serial', rule: 'unique', message: /ignoring case/ }], 'the message says what the rule is')
  const nfd = await hardware.create(acme, actor, { serial: 'Cafe\u0301-1', name: 'Typed on a Mac (NFD)' })
  t.equal(nfd.serial, 'Caf\u00e9-1', 'stored in NFC')
  await rejects(t, acme, () => hardware.create(acme, actor, { serial: 'CAF\u00c9-1', name: 'Same, NFC and capitals' }), 'serial', 'unique')
  const other = await hardware.create(acme, actor, { serial: 'C02CASE2', name: 'Another Mac' })
  await rejects(t, acme, () => hardware.update(acme, actor, other.id, { serial: 'c02CASE1' }), 'serial', 'unique')
  const recased = await hardware.update(acme, actor, mac.id, { serial: 'c02case1' })
  t.equal(recased.serial, 'c02case1', 'a row may change the case of its own serial')
  t.ok(await hardware.create((await workspace('cases')).id, actor, { serial: 'C02CASE1', name: 'Another workspace' }), 'per workspace')
})

t.test('asset tags: 20 concurrent creates get 20 distinct consecutive tags', async t => {
  const ws = (await workspace('tags')).id
  const created = await Promise.all(Array.from({ length: 20 }, (_, i) => hardware.create(ws, actor, { serial: `PAR-${i}`, name: `Laptop ${i}` })))
  const tags = created.map(h => h.asset_tag).sort()
  t.same(tags, Array.from({ length: 20 }, (_, i) => `TAGS-${String(i + 1).padStart(6, '0')}`))
})

t.test('races are settled by the database: one serial, one assignee', async t => {
  const ws = (await workspace('race')).id
  const creates = await Promise.allSettled(Array.from({ length: 6 }, () => hardware.create(ws, actor, { serial: 'SAME-1', name: 'Twin' })))
  t.equal(creates.filter(r => r.status === 'fulfilled').length, 1, 'one create wins')
  t.ok(creates.every(r => r.status === 'fulfilled' || (r.reason instanceof ValidationError && r.reason.errors[0].rule === 'unique')), 'the rest are unique errors')
  t.equal((await counts(ws)).asset_tag_next, 2, 'the losers took no asset tag number')
  const device = (await hardware.list(ws))[0]
  const staff = await Promise.all(['a', 'b', 'c'].map(n => people.create(ws, actor, { email: `${n}@race.test` })))
  const assigns = await Promise.allSettled(staff.map(p => hardware.assign(ws, actor, device.id, p.id)))
  t.equal(assigns.filter(r => r.status === 'fulfilled').length, 1, 'one assign wins')
  t.equal((await counts(ws)).hardware_assignments, 1)
})

t.test('a caller-supplied asset tag is kept if unique, and generation skips it', async t => {
  const ws = (await workspace('manual')).id
  const own = await hardware.create(ws, actor, { serial: 'M-1', name: 'Dock', asset_tag: 'MANUAL-000002' })
  t.equal(own.asset_tag, 'MANUAL-000002')
  await rejects(t, ws, () => hardware.create(ws, actor, { serial: 'M-2', name: 'Dock', asset_tag: 'MANUAL-000002' }), 'asset_tag', 'unique')
  const a = await hardware.create(ws, actor, { serial: 'M-3', name: 'Dock' })
  const b = await hardware.create(ws, actor, { serial: 'M-4', name: 'Dock' })
  t.same([a.asset_tag, b.asset_tag], ['MANUAL-000001', 'MANUAL-000003'])
})

t.test('update records changes, moves the version, and a no-op writes nothing', async t => {
  const hw = await hardware.create(acme, actor, { serial: 'UPD-1', name: 'Old name', specifications: { a: 1, b: 2 } })
  const updated = await hardware.update(acme, actor, hw.id, { name: 'New name', notes: 'dented', purchase_price: 10 }, { expectedVersion: 1 })
  t.match(updated, { name: 'New name', notes: 'dented', purchase_price: 10, version: 2 })
  const entries = await audit(acme, hw.id)
  t.match(entries.at(-1), { action: 'hardware.updated', changes: { name: { old: 'Old name', new: 'New name' }, notes: { old: null, new: 'dented' } } })
  const evs = await events(acme, hw.id)
  t.same(evs.map(e => e.type), ['hardware.created', 'hardware.updated'])
  t.same(evs[1].payload.changes.purchase_price, { old: null, new: 10 })

  const before = await counts(acme)
  const same = await hardware.update(acme, actor, hw.id, { name: 'New name', purchase_price: 10, specifications: { b: 2, a: 1 } })
  t.equal(same.version, 2, 'version unchanged')
  t.same(await counts(acme), before, 'no audit entry, no event')
})

t.test('optimistic concurrency: a stale version is a 409 and writes nothing', async t => {
  const hw = await hardware.create(acme, actor, { serial: 'OCC-1', name: 'Monitor' })
  await hardware.update(acme, actor, hw.id, { name: 'Monitor 27"' }, { expectedVersion: 1 })
  const before = await counts(acme)
  const err = await hardware.update(acme, actor, hw.id, { name: 'Monitor 24"' }, { expectedVersion: 1 }).catch(e => e)
  t.type(err, ConflictError)
  t.equal(err.statusCode, 409)
  t.match(err.message, /changed by someone else.*reload/)
  t.same(await counts(acme), before)
  t.equal((await hardware.get(acme, hw.id)).name, 'Monitor 27"')
})

t.test('assign and recover', async t => {
  const hw = await hardware.create(acme, actor, { serial: 'ASN-1', name: 'Laptop' })
  const assigned = await hardware.assign(acme, actor, hw.id, alice.id, { note: 'New starter', acknowledged: true })
  t.match(assigned, { status: 'assigned', assigned_user_id: alice.id, acknowledgement_note: 'New starter', version: 2 })
  t.ok(assigned.assigned_at instanceof Date && assigned.acknowledged_at instanceof Date)
  const rows = await app.db('hardware_assignments').where({ workspace_id: acme, hardware_id: hw.id })
  t.match(rows, [{ user_id: alice.id, note: 'New starter', recovered_at: null }])
  const assignEvent = (await events(acme, hw.id)).at(-1)
  t.equal(assignEvent.type, 'hardware.assigned')
  t.match(assignEvent.payload, { status: 'assigned', user: { email: 'alice@acme.test' }, assignment: { user_id: alice.id } })
  t.match((await audit(acme, hw.id)).at(-1), { action: 'hardware.assigned', changes: { status: { old: 'available', new: 'assigned' } } })

  await rejects(t, acme, () => hardware.assign(acme, actor, hw.id, alice.id), 'status', 'transition')
  await rejects(t, acme, () => hardware.update(acme, actor, hw.id, { status: 'retired' }), 'status', 'transition')

  const recovered = await hardware.recover(acme, actor, hw.id, { condition: 'fair', note: 'Returned scratched' })
  t.match(recovered, { status: 'available', assigned_user_id: null, assigned_at: null, acknowledged_at: null, condition: 'fair', version: 3 })
  const [closed] = await app.db('hardware_assignments').where({ workspace_id: acme, hardware_id: hw.id })
  t.ok(closed.recovered_at instanceof Date)
  t.equal(closed.note, 'New starter\nReturned scratched')
  const recoverEvent = (await events(acme, hw.id)).at(-1)
  t.equal(recoverEvent.type, 'hardware.recovered')
  t.match((await audit(acme, hw.id)).at(-1), { action: 'hardware.recovered', changes: { condition: { old: 'good', new: 'fair' } } })
  await rejects(t, acme, () => hardware.recover(acme, actor, hw.id), 'status', 'transition')
})

t.test('assignment rules: the person must be active and here, the hardware in service', async t => {
  const hw = await hardware.create(acme, actor, { serial: 'ASN-2', name: 'Phone' })
  const bob = await people.create(acme, actor, { email: 'bob@acme.test' })
  await people.offboard(acme, actor, bob.id)
  await rejects(t, acme, () => hardware.assign(acme, actor, hw.id, bob.id), 'user_id', 'active')
  const stranger = await people.create(globex, actor, { email: 'stranger@globex.test' })
  await rejects(t, acme, () => hardware.assign(acme, actor, hw.id, stranger.id), 'user_id', 'exists')
  await rejects(t, acme, () => hardware.assign(acme, actor, hw.id, 'nope'), 'user_id', 'format')
  await rejects(t, acme, () => hardware.assign(acme, actor, hw.id, alice.id, { colour: 'red' } as never), 'colour', 'unknown')
  const retired = await hardware.create(acme, actor, { serial: 'RET-1', name: 'Old phone', status: 'retired' })
  await rejects(t, acme, () => hardware.assign(acme, actor, retired.id, alice.id), 'status', 'transition')
  const inRepair = await hardware.create(acme, actor, { serial: 'REP-1', name: 'Tablet', status: 'in_repair' })
  t.equal((await hardware.assign(acme, actor, inRepair.id, alice.id)).status, 'assigned', 'in repair can be handed out')
})

t.test("another workspace's hardware is not found", async t => {
  const theirs = await hardware.create(globex, actor, { serial: 'GLX-1', name: 'Globex laptop' })
  const before = await counts(acme)
  for (const call of [
    () => hardware.get(acme, theirs.id),
    () => hardware.update(acme, actor, theirs.id, { name: 'Mine now' }),
    () => hardware.assign(acme, actor, theirs.id, alice.id),
    () => hardware.recover(acme, actor, theirs.id),
    () => hardware.get(acme, 'not-a-uuid')
  ]) {
    const err = await call().catch(e => e)
    t.type(err, NotFoundError)
    t.equal(err.statusCode, 404)
  }
  t.same(await counts(acme), before)
  t.equal((await hardware.get(globex, theirs.id)).name, 'Globex laptop')
  t.notOk((await hardware.list(acme, { limit: 500 })).some(h => h.id === theirs.id))
  t.same((await hardware.list(globex)).map(h => h.id), [theirs.id])
  t.same((await hardware.list(acme, { assignedUserId: alice.id })).map(h => h.status), ['assigned'])
})
