import t from 'tap'
import type { Actor } from '../core/audit/index.ts'
import { ConflictError, NotFoundError, ValidationError } from '../core/register/index.ts'
import { buildTestApp } from './helpers/app.ts'
import { writeProbe } from './helpers/register.ts'

const { app, workspace } = await buildTestApp(t)
const { people, hardware, software } = app.registry
const actor: Actor = { type: 'user', id: null, label: 'Ada Admin' }
const acme = (await workspace('acme')).id
const globex = (await workspace('globex')).id

const { counts, rejects } = writeProbe(app, ['users', 'hardware', 'software_assignments', 'audit_log', 'events'], [
  '(SELECT coalesce(sum(version), 0) FROM users WHERE workspace_id = :ws)::int AS versions'
])

const audit = (ws: string, targetId: string) => app.db('audit_log').where({ workspace_id: ws, target_id: targetId }).orderBy('id')

t.test('create writes the person and an audit entry, and no event', async t => {
  const before = await counts(acme)
  const ann = await people.create(acme, actor, { email: ' Ann@Acme.test ', first_name: 'Ann', last_name: 'Lee', start_date: '2024-01-15', department: '' })
  t.match(ann, { email: 'Ann@Acme.test', first_name: 'Ann', department: null, status: 'active', role: 'employee', source: 'manual', version: 1 })
  t.notOk('password_hash' in ann || 'sessions_valid_after' in ann, 'credentials are never returned')
  t.same(await people.get(acme, ann.id), ann)
  t.match(await audit(acme, ann.id), [{ action: 'person.created', target_type: 'person', target_label: 'Ann Lee' }])
  const after = await counts(acme)
  t.same([after.users, after.audit_log, after.events], [before.users + 1, before.audit_log + 1, before.events])
})

t.test('bad input is rejected naming field and rule, and writes nothing', async t => {
  const boss = await people.create(acme, actor, { email: 'boss@acme.test' })
  const create = (input: object) => () => people.create(acme, actor, input as never)
  await rejects(t, acme, create({ first_name: 'No email' }), 'email', 'required')
  await rejects(t, acme, create({ email: 'not-an-email' }), 'email', 'format')
  await rejects(t, acme, create({ email: 'BOSS@acme.TEST' }), 'email', 'unique')
  await rejects(t, acme, create({ email: 'x@acme.test', nickname: 'X' }), 'nickname', 'unknown')
  await rejects(t, acme, create({ email: 'x@acme.test', status: 'gone' }), 'status', 'enum')
  await rejects(t, acme, create({ email: 'x@acme.test', role: 'god' }), 'role', 'enum')
  await rejects(t, acme, create({ email: 'x@acme.test', start_date: '15/01/2024' }), 'start_date', 'format')
  await rejects(t, acme, create({ email: 'x@acme.test', start_date: '2024-05-01', end_date: '2024-04-30' }), 'end_date', 'range')
  await rejects(t, acme, create({ email: 'x@acme.test', manager_id: '00000000-0000-4000-8000-000000000000' }), 'manager_id', 'exists')
  const outsider = await people.create(globex, actor, { email: 'outsider@globex.test' })
  await rejects(t, acme, create({ email: 'x@acme.test', manager_id: outsider.id }), 'manager_id', 'exists')
  await rejects(t, acme, () => people.update(acme, actor, boss.id, { manager_id: boss.id }), 'manager_id', 'self')
  await rejects(t, acme, () => people.update(acme, actor, boss.id, { email: 'ANN@acme.test' }), 'email', 'unique')
  await rejects(t, acme, () => people.update(acme, actor, boss.id, { role: 'admin' } as never), 'role', 'unknown')
  await people.update(acme, actor, boss.id, { start_date: '2024-06-01' })
  await rejects(t, acme, () => people.update(acme, actor, boss.id, { end_date: '2024-05-31' }), 'end_date', 'range')

  const err: ValidationError = await people.create(acme, actor, { email: 'bad', status: 'gone', extra: 1 } as never).catch(e => e)
  t.same(err.errors.map(e => `${e.field}/${e.rule}`).sort(), ['email/format', 'extra/unknown', 'status/enum'], 'every problem at once')
  t.match(err.message, 'email: must be a valid email address (format)')
})

t.test('createIfEmailFree creates in one statement, or writes nothing when the email is taken', async t => {
  const before = await counts(acme)
  const cy = await people.createIfEmailFree(acme, actor, { email: 'cy@acme.test', first_name: 'Cy' })
  t.match(cy, { email: 'cy@acme.test', first_name: 'Cy', status: 'active', version: 1 })
  t.match(await audit(acme, cy!.id), [{ action: 'person.created', target_label: 'Cy' }])
  t.equal(await people.createIfEmailFree(acme, actor, { email: 'CY@Acme.TEST', first_name: 'Other' }), null, 'taken, whatever the case')
  t.same(await counts(acme), { ...before, users: before.users + 1, audit_log: before.audit_log + 1, versions: before.versions + 1 }, 'one person, one entry')
  await rejects(t, acme, () => people.createIfEmailFree(acme, actor, { email: 'not-an-email' }), 'email', 'format')
  t.match(await people.createIfEmailFree(globex, actor, { email: 'cy@acme.test' }), { email: 'cy@acme.test' }, 'free in another workspace')
})

t.test('the same email may be used in another workspace', async t => {
  const here = await people.create(acme, actor, { email: 'shared@example.test' })
  const there = await people.create(globex, actor, { email: 'SHARED@example.test' })
  t.not(here.id, there.id)
})

t.test('update records the changes and moves the version; a no-op and a stale version write nothing', async t => {
  const manager = await people.create(acme, actor, { email: 'mgr@acme.test' })
  const dan = await people.create(acme, actor, { email: 'dan@acme.test', first_name: 'Dan' })
  const updated = await people.update(acme, actor, dan.id, { job_title: 'Engineer', manager_id: manager.id }, { expectedVersion: 1 })
  t.match(updated, { job_title: 'Engineer', manager_id: manager.id, version: 2 })
  t.match((await audit(acme, dan.id)).at(-1), {
    action: 'person.updated', changes: { job_title: { old: null, new: 'Engineer' }, manager_id: { old: null, new: manager.id } }
  })

  const before = await counts(acme)
  t.equal((await people.update(acme, actor, dan.id, { job_title: ' Engineer ', first_name: 'Dan' })).version, 2)
  t.same(await counts(acme), before, 'no change, no write')

  const err = await people.update(acme, actor, dan.id, { job_title: 'Manager' }, { expectedVersion: 1 }).catch(e => e)
  t.type(err, ConflictError)
  t.equal(err.statusCode, 409)
  t.same(await counts(acme), before)
})

t.test('changeRole is audited as a role change', async t => {
  const eve = await people.create(acme, actor, { email: 'eve@acme.test' })
  const admin = await people.changeRole(acme, actor, eve.id, 'it-admin')
  t.match(admin, { role: 'it-admin', version: 2 })
  t.match((await audit(acme, eve.id)).at(-1), { action: 'person.role_changed', changes: { role: { old: 'employee', new: 'it-admin' } } })
  await rejects(t, acme, () => people.changeRole(acme, actor, eve.id, 'owner' as never), 'role', 'enum')
  const before = await counts(acme)
  await people.changeRole(acme, actor, eve.id, 'it-admin')
  t.same(await counts(acme), before, 'same role, no write')
})

t.test('a workspace keeps one active super-admin, even under simultaneous demotions', async t => {
  const ws = (await workspace('initech')).id
  const one = await people.create(ws, actor, { email: 'one@initech.test', role: 'super-admin' })
  const two = await people.create(ws, actor, { email: 'two@initech.test', role: 'super-admin' })
  const results = await Promise.allSettled([
    people.changeRole(ws, actor, one.id, 'admin'),
    people.changeRole(ws, actor, two.id, 'admin')
  ])
  t.equal(results.filter(r => r.status === 'fulfilled').length, 1, 'one demotion succeeds')
  const refused = results.find(r => r.status === 'rejected') as PromiseRejectedResult
  t.match(refused.reason, { statusCode: 422, errors: [{ field: 'role', rule: 'last_super_admin' }] })
  const [{ count }] = await app.db('users').where({ workspace_id: ws, role: 'super-admin' }).count({ count: '*' })
  t.equal(Number(count), 1)
  const last = await app.db('users').where({ workspace_id: ws, role: 'super-admin' }).first()
  await rejects(t, ws, () => people.changeRole(ws, actor, last.id, 'employee'), 'role', 'last_super_admin')
})

t.test('the last active super-admin cannot be offboarded or made inactive; with another one they can', async t => {
  const ws = (await workspace('globex')).id
  const boss = await people.create(ws, actor, { email: 'boss@globex.test', role: 'super-admin' })
  const gone = await people.create(ws, actor, { email: 'gone@globex.test', role: 'super-admin', status: 'inactive' })
  await rejects(t, ws, () => people.offboard(ws, actor, boss.id), 'status', 'last_super_admin')
  await rejects(t, ws, () => people.update(ws, actor, boss.id, { status: 'inactive' }), 'status', 'last_super_admin')
  t.equal((await people.get(ws, boss.id)).status, 'active', 'an inactive super-admin does not count')
  t.equal((await people.update(ws, actor, boss.id, { job_title: 'CEO' })).job_title, 'CEO', 'other changes go through')

  await people.update(ws, actor, gone.id, { status: 'active' })
  t.equal((await people.offboard(ws, actor, boss.id)).person.status, 'offboarded', 'another active super-admin: allowed')
  await rejects(t, ws, () => people.offboard(ws, actor, gone.id), 'status', 'last_super_admin')
})

t.test('offboard ends the person, reports what they hold and emits user.offboarded', async t => {
  const fay = await people.create(acme, actor, { email: 'fay@acme.test', first_name: 'Fay' })
  const laptop = await hardware.create(acme, actor, { serial: 'FAY-1', name: 'Laptop' })
  await hardware.assign(acme, actor, laptop.id, fay.id)
  const slack = await software.create(acme, actor, { name: 'Slack' })
  const seat = await software.assignSeat(acme, actor, slack.id, { userId: fay.id })
  const { rows: [{ today }] } = await app.db.raw('SELECT current_date::text AS today')

  const result = await people.offboard(acme, actor, fay.id)
  t.match(result.person, { status: 'offboarded', end_date: today, version: 2 })
  t.same(result.hardware.map(h => h.id), [laptop.id])
  t.match(result.seats, [{ id: seat.id, software_name: 'Slack' }])
  t.match((await audit(acme, fay.id)).at(-1), { action: 'person.offboarded', changes: { status: { old: 'active', new: 'offboarded' }, end_date: { old: null, new: today } } })
  const [event] = await app.db('events').where({ workspace_id: acme, type: 'user.offboarded' }).whereRaw("payload->>'id' = ?", [fay.id])
  t.match(event.payload, { status: 'offboarded', hardware: [{ id: laptop.id, asset_tag: laptop.asset_tag }], seats: [{ id: seat.id, software_name: 'Slack' }] })

  const before = await counts(acme)
  const again = await people.offboard(acme, actor, fay.id)
  t.equal(again.hardware.length, 1, 'still reports the holdings')
  t.same(await counts(acme), before, 'offboarding twice writes nothing')

  const gus = await people.create(acme, actor, { email: 'gus@acme.test', end_date: '2030-12-31' })
  t.equal((await people.offboard(acme, actor, gus.id)).person.end_date, '2030-12-31', 'a set end date is kept')
})

t.test("another workspace's person is not found", async t => {
  const theirs = await people.create(globex, actor, { email: 'hidden@globex.test' })
  const before = await counts(acme)
  for (const call of [
    () => people.get(acme, theirs.id),
    () => people.update(acme, actor, theirs.id, { first_name: 'Mine' }),
    () => people.offboard(acme, actor, theirs.id),
    () => people.changeRole(acme, actor, theirs.id, 'admin'),
    () => people.get(acme, '12345')
  ]) {
    const err = await call().catch(e => e)
    t.type(err, NotFoundError)
    t.equal(err.statusCode, 404)
  }
  t.same(await counts(acme), before)
  t.notOk((await people.list(acme, { limit: 500 })).some(p => p.id === theirs.id))
  t.ok((await people.list(acme, { status: 'offboarded' })).every(p => p.status === 'offboarded'))
})
