import t from 'tap'
import type { Actor } from '../core/audit/index.ts'
import { ConflictError, NotFoundError } from '../core/register/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { writeProbe } from './helpers/register.ts'

const { app, workspace } = await buildTestApp(t)
const { people, software } = app.registry
const actor: Actor = { type: 'token', id: 'tok_1', label: 'API token "ci"' }
const acme = (await workspace('acme')).id
const globex = (await workspace('globex')).id
const alice = await people.create(acme, actor, { email: 'alice@acme.test' })

const { counts, rejects } = writeProbe(app, ['software', 'software_assignments', 'audit_log', 'events'], [
  '(SELECT count(*) FROM software_assignments WHERE workspace_id = :ws AND revoked_at IS NULL)::int AS active_seats'
])

const audit = (ws: string, targetId: string) => app.db('audit_log').where({ workspace_id: ws, target_id: targetId }).orderBy('id')

t.test('create writes the record and an audit entry (the product defines no event for it)', async t => {
  const before = await counts(acme)
  const figma = await software.create(acme, actor, { name: 'Figma', vendor: 'Figma Inc.', seats_purchased: 10, cost_per_seat: 15.5, renewal_date: '2025-01-31' })
  t.match(figma, { name: 'Figma', seats_purchased: 10, cost_per_seat: 15.5, manual_seat_count: null, source: 'manual', version: 1 })
  t.match(await software.get(acme, figma.id), { ...figma, seats_assigned: 0 })
  t.match(await audit(acme, figma.id), [{ action: 'software.created', target_type: 'software', target_label: 'Figma', actor_type: 'token' }])
  t.same(await counts(acme), { ...before, software: before.software + 1, audit_log: before.audit_log + 1 })
})

t.test('bad input is rejected naming field and rule, and writes nothing', async t => {
  await software.create(acme, actor, { name: 'Notion' })
  const create = (input: object) => () => software.create(acme, actor, input as never)
  await rejects(t, acme, create({ vendor: 'Nobody' }), 'name', 'required')
  await rejects(t, acme, create({ name: 'NOTION' }), 'name', 'unique')
  await rejects(t, acme, create({ name: 'X', seats: 3 }), 'seats', 'unknown')
  await rejects(t, acme, create({ name: 'X', seats_purchased: -1 }), 'seats_purchased', 'minimum')
  await rejects(t, acme, create({ name: 'X', seats_purchased: 2.5 }), 'seats_purchased', 'type')
  await rejects(t, acme, create({ name: 'X', cost_per_seat: -0.01 }), 'cost_per_seat', 'minimum')
  await rejects(t, acme, create({ name: 'X', manual_seat_count: -3 }), 'manual_seat_count', 'minimum')
  await rejects(t, acme, create({ name: 'X', renewal_date: 'next year' }), 'renewal_date', 'format')
})

t.test('update, no-op update and a stale version', async t => {
  const miro = await software.create(acme, actor, { name: 'Miro', seats_purchased: 5 })
  const updated = await software.update(acme, actor, miro.id, { seats_purchased: 8, cost_per_seat: 8 }, { expectedVersion: 1 })
  t.match(updated, { seats_purchased: 8, cost_per_seat: 8, version: 2 })
  t.match((await audit(acme, miro.id)).at(-1), { action: 'software.updated', changes: { seats_purchased: { old: 5, new: 8 }, cost_per_seat: { old: null, new: 8 } } })
  const before = await counts(acme)
  t.equal((await software.update(acme, actor, miro.id, { seats_purchased: 8, cost_per_seat: 8 })).version, 2)
  t.same(await counts(acme), before, 'no change, no write')
  const err = await software.update(acme, actor, miro.id, { seats_purchased: 9 }, { expectedVersion: 1 }).catch(e => e)
  t.type(err, ConflictError)
  t.same(await counts(acme), before)
  await rejects(t, acme, () => software.update(acme, actor, miro.id, { name: 'figma' }), 'name', 'unique')
})

t.test('seats: assign to a person or an external address, one active seat per holder, revoke', async t => {
  const slack = await software.create(acme, actor, { name: 'Slack', seats_purchased: 3 })
  const seat = await software.assignSeat(acme, actor, slack.id, { userId: alice.id }, { lastActiveAt: new Date('2024-05-01T10:00:00Z'), source: 'slack' })
  t.match(seat, { software_id: slack.id, user_id: alice.id, external_email: null, source: 'slack', revoked_at: null })
  t.equal(seat.last_active_at?.toISOString(), '2024-05-01T10:00:00.000Z')
  t.match((await audit(acme, slack.id)).at(-1), { action: 'software.assigned', details: { seat_id: seat.id, user_id: alice.id } })
  const [assigned] = await app.db('events').where({ workspace_id: acme, type: 'software.assigned' }).whereRaw("payload->>'id' = ?", [seat.id])
  t.match(assigned.payload, { user_id: alice.id, software: { id: slack.id, name: 'Slack' }, user: { email: 'alice@acme.test' } })

  const guest = await software.assignSeat(acme, actor, slack.id, { externalEmail: 'Guest@Partner.test' })
  t.match(guest, { user_id: null, external_email: 'Guest@Partner.test', source: 'manual' })
  t.match(await software.list(acme), [{ name: 'Figma' }, { name: 'Miro' }, { name: 'Notion' }, { name: 'Slack', seats_assigned: 2 }])

  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { userId: alice.id }), 'user_id', 'unique')
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { externalEmail: 'guest@partner.TEST' }), 'external_email', 'unique')
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { externalEmail: 'not an email' }), 'external_email', 'format')
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { userId: alice.id, externalEmail: 'a@b.test' } as never), 'user_id', 'required')
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, {} as never), 'user_id', 'required')
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { userId: alice.id }, { seats: 2 } as never), 'seats', 'unknown')
  const outsider = await people.create(globex, actor, { email: 'outsider@globex.test' })
  await rejects(t, acme, () => software.assignSeat(acme, actor, slack.id, { userId: outsider.id }), 'user_id', 'exists')

  const revoked = await software.revokeSeat(acme, actor, seat.id)
  t.ok(revoked.revoked_at instanceof Date)
  t.match((await audit(acme, slack.id)).at(-1), { action: 'software.revoked', details: { seat_id: seat.id, user_id: alice.id } })
  const [revokedEvent] = await app.db('events').where({ workspace_id: acme, type: 'software.revoked' }).whereRaw("payload->>'id' = ?", [seat.id])
  t.match(revokedEvent.payload, { id: seat.id, software: { name: 'Slack' } })
  t.equal((await software.get(acme, slack.id)).seats_assigned, 1)
  await rejects(t, acme, () => software.revokeSeat(acme, actor, seat.id), 'revoked_at', 'transition')
  const again = await software.assignSeat(acme, actor, slack.id, { userId: alice.id })
  t.not(again.id, seat.id, 'a revoked holder can get a new seat')
  t.same((await software.listSeats(acme, slack.id)).map(s => s.id), [guest.id, again.id])
  t.equal((await software.listSeats(acme, slack.id, { includeRevoked: true })).length, 3)
})

t.test("another workspace's software and seats are not found", async t => {
  const theirs = await software.create(globex, actor, { name: 'Globex CRM' })
  const outsider = await people.create(globex, actor, { email: 'someone@globex.test' })
  const theirSeat = await software.assignSeat(globex, actor, theirs.id, { userId: outsider.id })
  const before = await counts(acme)
  for (const call of [
    () => software.get(acme, theirs.id),
    () => software.update(acme, actor, theirs.id, { name: 'Mine' }),
    () => software.assignSeat(acme, actor, theirs.id, { userId: alice.id }),
    () => software.revokeSeat(acme, actor, theirSeat.id),
    () => software.listSeats(acme, theirs.id),
    () => software.revokeSeat(acme, actor, 'seat-1')
  ]) {
    const err = await call().catch(e => e)
    t.type(err, NotFoundError)
    t.equal(err.statusCode, 404)
  }
  t.same(await counts(acme), before)
  t.notOk((await software.list(acme)).some(s => s.id === theirs.id))
})
