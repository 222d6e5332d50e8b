import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { systemActor } from '../core/audit/index.ts'
import type { StoredEvent } from '../core/events/index.ts'
import { until } from './helpers/wait.ts'

t.test('events committed with a change reach listeners in order, through the job queue', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const received: StoredEvent[] = []
  app.events.subscribe(async event => { received.push(event) })

  const person = await app.registry.people.create(ws, systemActor, { email: 'pat@acme.test' })
  const laptop = await app.registry.hardware.create(ws, systemActor, { serial: 'SN-1', name: 'Laptop' })
  await app.registry.hardware.assign(ws, systemActor, laptop.id, person.id)
  await app.registry.hardware.recover(ws, systemActor, laptop.id)

  await until(() => received.length >= 3)
  t.same(received.map(e => e.type), ['hardware.created', 'hardware.assigned', 'hardware.recovered'])
  t.same(received.map(e => e.sequence), [...received.map(e => e.sequence)].sort((a, b) => a - b), 'in commit order')
  t.equal(received[1].payload.id, laptop.id)
  await until(async () => (await app.db('events').where({ workspace_id: ws }).whereNull('dispatched_at')).length === 0)
  t.pass('every event is marked dispatched')
})

t.test('a rolled-back change leaves no event; a failing listener is retried without losing events', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  const seen: string[] = []
  let failures = 0
  app.events.subscribe(async event => {
    if (event.payload.serial === 'SN-2' && failures === 0) {
      failures++
      throw new Error('receiver down')
    }
    seen.push(String(event.payload.serial))
  })
  await app.registry.hardware.create(ws, systemActor, { serial: 'SN-1', name: 'Laptop' })
  await t.rejects(app.registry.hardware.create(ws, systemActor, { serial: 'SN-1', name: 'Duplicate' }))
  const events = await app.db('events').where({ workspace_id: ws })
  t.equal(events.length, 1, 'the refused create wrote no event')

  await app.registry.hardware.create(ws, systemActor, { serial: 'SN-2', name: 'Second' })
  await app.registry.hardware.create(ws, systemActor, { serial: 'SN-3', name: 'Third' })
  await until(() => seen.includes('SN-3'), 30_000)
  t.equal(failures, 1)
  t.same(seen, ['SN-1', 'SN-2', 'SN-3'], 'each event once after the retry, in order')
})

t.test('the audit log is append-only in the database', async t => {
  const { app, workspace } = await buildTestApp(t)
  const ws = (await workspace('acme')).id
  await app.audit.record(app.db, ws, systemActor, { action: 'test.entry' })
  await t.rejects(app.db('audit_log').where({ workspace_id: ws }).update({ action: 'rewritten' }), /append-only/)
  await t.rejects(app.db('audit_log').where({ workspace_id: ws }).delete(), /append-only/)
  t.equal((await app.db('audit_log').where({ workspace_id: ws, action: 'test.entry' })).length, 1)
})
