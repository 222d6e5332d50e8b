// Deletions in full syncs (manifest `trackDeletes`): the example directory plugin (outside plugins/)
// against its fake over real HTTP, on the real database. People the directory no longer lists
// become inactive and their seats are revoked after a completed full run; never after a failed,
// cancelled, partial or incremental one; the mass-removal guard holds big removals for review.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { until } from './helpers/wait.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { manifestProblems } from '../core/integrations/manifest.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { trackedModels } from '../core/integrations/sync-deletes-manifest.ts'
import { createMemoryStore, createTestContext, drainSync, routeToFake } from '../core/sdk.ts'
import type { Workspace } from '../core/tenancy/index.ts'
import { startDirectoryFake } from './fixtures/directory-plugin/fake.ts'
import * as migration023 from '../migrations/023_sync_deletes.ts'

const HX = { 'hx-request': 'true' }
const DIRECTORY = fileURLToPath(new URL('./fixtures/directory-plugin/', import.meta.url))
const [directory] = await discoverPlugins({ builtinDir: null, pluginDirs: [DIRECTORY] })
/** The same connector with incremental syncs that track no deletes. */
const incremental: DiscoveredPlugin = {
  ...directory,
  id: 'acme-incremental',
  manifest: { ...directory.manifest, id: 'acme-incremental', name: 'Incremental', syncs: directory.manifest.syncs!.map(s => ({ id: s.id, model: s.model, mode: 'incremental' as const })) }
}

const fake = await startDirectoryFake()
t.teardown(() => fake.close())
const { app, workspace } = await buildTestApp(t, {}, { plugins: [directory, incremental], httpDispatcher: routeToFake(fake.url) })
const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }

/** Ten people, each with a Figma seat. */
function directoryOf (n: number): void {
  fake.people.splice(0, Infinity, ...Array.from({ length: n }, (_, i) => ({ id: `p${i}`, email: `person${i}@acme.test`, first: 'Person', last: String(i) })))
  fake.seats.splice(0, Infinity, ...Array.from({ length: n }, (_, i) => ({ id: `s${i}`, app: 'Figma', email: `person${i}@acme.test` })))
  fake.pageSize = 50
}

/** Leaves out people (and their seats) from the fake directory. */
function forget (...indexes: number[]): void {
  const gone = new Set(indexes.map(i => `person${i}@acme.test`))
  fake.people.splice(0, Infinity, ...fake.people.filter(p => !gone.has(p.email)))
  fake.seats.splice(0, Infinity, ...fake.seats.filter(s => !gone.has(s.email)))
}

async function setUp (slug: string, pluginId = directory.id): Promise<Workspace> {
  const ws = await workspace(slug)
  await allowPrivateHosts(app.db, ws.id, systemActor, [new URL(fake.url).hostname])
  await app.integrations.settings.save(ws.id, admin, app.integrations.plugin(pluginId)!, fake.settings, { enabled: true })
  return ws
}

async function syncToEnd (ws: Workspace, options: { dryRun?: boolean, pluginId?: string } = {}): Promise<RunRow> {
  const run = await app.integrations.sync(ws.id, options.pluginId ?? directory.id, { dryRun: options.dryRun })
  return await until(async () => {
    await app.integrations.executeNow(ws.id, run.id)
    const r = await app.integrations.run(ws.id, run.id)
    return r && !ACTIVE.includes(r.status) && r
  })
}

/** A workspace whose second run leaves out three of ten people (30%): the guard holds its removals. */
async function heldRun (slug: string): Promise<{ ws: Workspace, held: RunRow }> {
  const ws = await setUp(slug)
  directoryOf(10)
  await syncToEnd(ws)
  forget(1, 2, 3)
  return { ws, held: await syncToEnd(ws) }
}

const statusOf = async (ws: Workspace, i: number) => (await app.db('users').where({ workspace_id: ws.id, email: `person${i}@acme.test` }).first('status'))?.status
const revoked = async (ws: Workspace) => (await app.db('software_assignments').where({ workspace_id: ws.id }).whereNotNull('revoked_at').select('external_id')).map(r => r.external_id).sort()
const inactive = async (ws: Workspace) => (await app.db('users').where({ workspace_id: ws.id, status: 'inactive' }).select('email')).map(r => r.email).sort()
const audits = async (ws: Workspace, action: string) => await app.db('audit_log').where({ workspace_id: ws.id, action }).orderBy('id')

t.test('after a completed full run, a person gone from the directory is inactive and their seat revoked', async t => {
  const ws = await setUp('complete')
  directoryOf(10)
  t.match(await syncToEnd(ws), { status: 'succeeded', created: 20, deleted: 0 })
  const byHand = await app.registry.people.create(ws.id, systemActor, { email: 'byhand@acme.test', first_name: 'By', last_name: 'Hand' })

  forget(3)
  const run = await syncToEnd(ws)
  t.match(run, { status: 'succeeded', deleted: 2, unchanged: 18, review: null })
  t.match(run.message, /^0 created, 0 updated, 18 unchanged, 0 skipped, 0 errors\. Removed 2 no longer at Acme Directory \(example\)\.$/)
  t.equal(await statusOf(ws, 3), 'inactive', 'person → inactive')
  t.same(await revoked(ws), ['s3'], 'seat → revoked')
  t.equal(await statusOf(ws, 4), 'active', 'the others stay')
  t.equal((await app.db('users').where({ id: byHand.id }).first()).status, 'active', 'a person the plugin never linked is not its to remove')

  const [entry] = await audits(ws, 'integration.removed')
  t.match(entry, { actor_type: 'plugin', details: { run_id: run.id, count: 2, models: { person: 1, seat: 1 } } }, 'one entry for the run with the count')
  t.match((await audits(ws, 'person.updated')).at(-1), { actor_type: 'plugin', changes: { status: { old: 'active', new: 'inactive' } } }, 'the person\'s change audited as the register does')
  t.match((await audits(ws, 'software.revoked')).at(-1), { actor_type: 'plugin', details: { external_email: null } })
  const events = await app.db('events').where({ workspace_id: ws.id, type: 'software.revoked' })
  t.equal(events.length, 1, 'software.revoked is emitted as for a revoke by hand')
  t.equal(await app.db('integration_run_seen').where({ run_id: run.id }).count({ n: '*' }).then(r => Number(r[0].n)), 0, 'what the run saw is forgotten with its completion')

  const again = await syncToEnd(ws)
  t.match(again, { status: 'succeeded', deleted: 0 }, 'a removed record is not removed twice')
  t.notMatch(again.message, /Removed/)
})

t.test('a failed run removes nothing, nor does the next one resumed from its checkpoint', async t => {
  const ws = await setUp('failed')
  directoryOf(10)
  await syncToEnd(ws)
  forget(0)
  fake.pageSize = 3
  fake.failAt = { path: '/v1/people', cursor: '6', status: 401 }
  const failed = await syncToEnd(ws)
  t.match(failed, { status: 'failed', deleted: 0 })
  t.same(await inactive(ws), [])

  // The next run continues the people sync from the failed run's checkpoint: it did not read them all.
  const resumed = await syncToEnd(ws)
  t.match(resumed, { status: 'succeeded', deleted: 0 })
  t.match(resumed.message, /Nothing was removed: the run continued an earlier run's people sync instead of reading every record\./)
  t.same(await inactive(ws), [])
  t.same(await revoked(ws), [])

  const full = await syncToEnd(ws)
  t.match(full, { status: 'succeeded', deleted: 2 }, 'the next full pass removes them')
})

t.test('a cancelled run removes nothing', async t => {
  const ws = await setUp('cancelled')
  directoryOf(10)
  await syncToEnd(ws)
  forget(1)
  let release!: () => void
  fake.hold = new Promise(resolve => { release = resolve })
  const run = await app.integrations.sync(ws.id, directory.id)
  const executing = app.integrations.executeNow(ws.id, run.id)
  await fake.held
  await app.integrations.cancel(ws.id, admin, directory.id, run.id)
  fake.hold = null
  release()
  await executing
  t.match(await app.integrations.run(ws.id, run.id), { status: 'cancelled', deleted: 0 })
  t.same(await inactive(ws), [])
  t.same(await revoked(ws), [])
  t.match(await syncToEnd(ws), { status: 'succeeded', deleted: 2 }, 'the next completed run removes them')
  t.same(await inactive(ws), ['person1@acme.test'])
})

t.test('a run with a record it could not read (partial) removes nothing', async t => {
  const ws = await setUp('partial')
  directoryOf(10)
  await syncToEnd(ws)
  forget(2)
  fake.people.push({ id: 'bad', email: 'not an email', first: 'Bad', last: 'Email' })
  const run = await syncToEnd(ws)
  t.match(run, { status: 'succeeded', errors: 1, deleted: 0 })
  t.match(run.message, /Nothing was removed: some records could not be read/)
  t.same(await inactive(ws), [])
})

t.test('an incremental sync removes nothing, and the manifest refuses trackDeletes where it cannot hold', async t => {
  const ws = await setUp('incremental', incremental.id)
  directoryOf(10)
  await syncToEnd(ws, { pluginId: incremental.id })
  forget(5)
  const run = await syncToEnd(ws, { pluginId: incremental.id })
  t.match(run, { status: 'succeeded', deleted: 0 })
  t.same(await inactive(ws), [])

  const base = directory.manifest
  const problems = (syncs: unknown) => manifestProblems({ ...base, syncs, permissions: ['person:write', 'seat:write', 'device:write'] })
  t.match(problems([{ id: 'people', model: 'person', mode: 'incremental', trackDeletes: true }]), [{ field: '/syncs/0/trackDeletes', message: /needs mode "full"/ }])
  t.match(problems([{ id: 'devices', model: 'device', mode: 'full', trackDeletes: true }]), [{ field: '/syncs/0/trackDeletes', message: /not allowed for devices/ }])
  t.match(problems([{ id: 'a', model: 'seat', mode: 'full', trackDeletes: true }, { id: 'b', model: 'seat', mode: 'full' }]), [{ field: '/syncs/1/trackDeletes', message: /must be true/ }])
  t.same(problems(base.syncs), [])
})

t.test('the MDM plugins (devices) never remove anything', async t => {
  const builtin = await discoverPlugins()
  const mdm = builtin.filter(p => p.manifest.syncs?.some(s => s.model === 'device'))
  t.ok(mdm.length >= 2, 'Intune and Jamf sync devices')
  for (const plugin of mdm) t.same(trackedModels(plugin.manifest.syncs), [], `${plugin.id} tracks no deletes`)
})

t.test('Preview lists the removals and removes nothing', async t => {
  const ws = await setUp('preview')
  directoryOf(10)
  await syncToEnd(ws)
  forget(7)
  const preview = await syncToEnd(ws, { dryRun: true })
  t.match(preview, { status: 'succeeded', dry_run: true, deleted: 2 })
  t.match(preview.message, /Would remove 2\.$/)
  t.match(preview.preview, [
    { action: 'remove', externalId: 'p7', label: 'Person 7', changes: { status: { old: 'active', new: 'inactive' } } },
    { action: 'remove', externalId: 's7', label: 'Figma: person7@acme.test', changes: { revoked: { old: null, new: true } } }
  ])
  t.same(await inactive(ws), [], 'a preview removes nothing')
  t.same(await revoked(ws), [])

  const [user] = await app.db('users').insert({ workspace_id: ws.id, email: 'adam@preview.test', role: 'admin' }).returning('*')
  const session = await signIn(app, { slug: 'preview', workspaceId: ws.id, userId: user.id })
  const page = await session.get(`/settings/integrations/${directory.id}/runs/${preview.id}`, HX)
  t.match(page.body, /<strong>Remove<\/strong> Person 7/, 'the preview area shows "Remove" rows')
  t.match(page.body, /<dt>Would remove<\/dt><dd>2<\/dd>/, 'and counts them')
})

t.test('the guard holds removals above 20% for review; Confirm applies exactly them, audited', async t => {
  const exact = await setUp('exact')
  directoryOf(10)
  await syncToEnd(exact)
  forget(1, 2)
  t.match(await syncToEnd(exact), { status: 'succeeded', deleted: 4, review: null }, 'exactly 20% is allowed')

  const { ws, held } = await heldRun('guard')
  t.match(held, { status: 'succeeded', deleted: 0, review: 'pending' })
  t.match(held.message, /Needs review: nothing was removed, because it would remove 3 of 10 people \(30%\), more than the 20% allowed without review\. Confirm or dismiss the 6 removals on the card\./)
  t.same(await inactive(ws), [], 'nothing removed')
  t.match((await audits(ws, 'integration.removals_held')).at(-1), { details: { run_id: held.id, count: 6, guard_percent: 20 } })
  t.match(await app.integrations.settings.get(ws.id, directory.id), { needs_attention: false }, 'Needs review is not Needs attention')

  const [user] = await app.db('users').insert({ workspace_id: ws.id, email: 'adam@guard.test', role: 'admin' }).returning('*')
  const session = await signIn(app, { slug: 'guard', workspaceId: ws.id, userId: user.id })
  const grid = await session.get('/settings/integrations')
  t.match(grid.body, /Needs review<\/span>/, 'the card says Needs review')
  t.match(grid.body, /6 removals wait for review\./)
  const modal = await session.get(`/settings/integrations/${directory.id}`, HX)
  t.match(modal.body, /Person 1: becomes inactive/)
  t.match(modal.body, /Figma: person1@acme\.test: seat revoked/)

  // Confirm applies what the run computed, not a recomputation: a person linked since is not touched.
  await app.db('users').insert({ workspace_id: ws.id, email: 'linked-later@acme.test', source_ids: { [directory.id]: 'p99' } })
  const url = `/settings/integrations/${directory.id}/runs/${held.id}/removals/confirm`
  t.equal((await session.post(url, {}, { csrf: false, headers: HX })).statusCode, 403, 'CSRF-checked')
  const [employee] = await app.db('users').insert({ workspace_id: ws.id, email: 'eve@guard.test', role: 'employee' }).returning('*')
  const eve = await signIn(app, { slug: 'guard', workspaceId: ws.id, userId: employee.id })
  t.not((await eve.post(url, {}, { headers: HX })).statusCode, 200, 'admins only')
  t.same(await inactive(ws), [])

  const res = await session.post(url, {}, { headers: HX })
  t.equal(res.statusCode, 200)
  t.match(res.body, 'Removed 6 of 6.')
  t.same(await inactive(ws), ['person1@acme.test', 'person2@acme.test', 'person3@acme.test'])
  t.same(await revoked(ws), ['s1', 's2', 's3'])
  t.match(await app.integrations.run(ws.id, held.id), { review: 'confirmed', deleted: 6 })
  t.match((await audits(ws, 'integration.removals_confirmed')).at(-1), { actor_type: 'user', actor_id: user.id, details: { run_id: held.id, count: 6, removed: 6 } })
  t.match((await audits(ws, 'person.updated')).at(-1), { actor_id: user.id, changes: { status: { new: 'inactive' } } }, 'each record audited as the admin\'s change')
  t.equal((await app.db('events').where({ workspace_id: ws.id, type: 'software.revoked' })).length, 3, 'software.revoked for each seat')
  t.equal((await app.db('users').where({ workspace_id: ws.id, email: 'linked-later@acme.test' }).first()).status, 'active', 'exactly the held removals')
  t.notMatch((await session.get('/settings/integrations')).body, /Needs review<\/span>/, 'the card no longer needs review')

  const twice = await session.post(url, {}, { headers: HX })
  t.match(twice.body, 'These removals were already confirmed.')
})

t.test('Dismiss discards the held removals, audited; a newer run supersedes them', async t => {
  const { ws, held } = await heldRun('dismiss')
  t.match(held, { review: 'pending' })
  const [user] = await app.db('users').insert({ workspace_id: ws.id, email: 'adam@dismiss.test', role: 'admin' }).returning('*')
  const session = await signIn(app, { slug: 'dismiss', workspaceId: ws.id, userId: user.id })
  const res = await session.post(`/settings/integrations/${directory.id}/runs/${held.id}/removals/dismiss`, {})
  t.equal(res.statusCode, 303, 'without JavaScript, back to the card')
  t.same(await inactive(ws), [])
  t.match(await app.integrations.run(ws.id, held.id), { review: 'dismissed' })
  t.match((await audits(ws, 'integration.removals_dismissed')).at(-1), { actor_id: user.id, details: { run_id: held.id, count: 6 } })
  t.equal(await app.db('integration_removals').where({ run_id: held.id }).count({ n: '*' }).then(r => Number(r[0].n)), 0)

  const again = await syncToEnd(ws)
  t.match(again, { review: 'pending' }, 'the next run holds them again')
  const newer = await syncToEnd(ws)
  t.match(await app.integrations.run(ws.id, again.id), { review: 'superseded' }, 'a newer run supersedes the older review')
  t.equal(await app.db('integration_removals').where({ run_id: again.id }).count({ n: '*' }).then(r => Number(r[0].n)), 0, 'and its held removals are forgotten')
  const confirm = await session.post(`/settings/integrations/${directory.id}/runs/${again.id}/removals/confirm`, {}, { headers: HX })
  t.match(confirm.body, 'a newer sync has run since, so these removals are superseded')
  t.same(await inactive(ws), [])
  t.match(newer, { review: 'pending' })
})

t.test('Confirm while a newer sync is running applies nothing: that sync supersedes the removals', async t => {
  const { ws, held } = await heldRun('running')
  t.match(held, { review: 'pending' })
  let release!: () => void
  fake.hold = new Promise(resolve => { release = resolve })
  fake.held = new Promise(resolve => { fake.heldNow = resolve })
  const newer = await app.integrations.sync(ws.id, directory.id)
  const executing = app.integrations.executeNow(ws.id, newer.id)
  await fake.held
  const result = await app.integrations.settleReview(ws.id, admin, directory.id, held.id, 'confirm')
  t.same(result, { outcome: 'already', review: 'superseded' })
  t.same(await inactive(ws), [], 'nothing removed')
  fake.hold = null
  release()
  await executing
})

t.test('a run that saw no records at all removes nothing, whatever the share', async t => {
  const ws = await setUp('empty')
  directoryOf(3)
  await syncToEnd(ws)
  await app.integrations.setRemovalGuard(ws.id, admin, directory.id, 100)
  directoryOf(0)
  const run = await syncToEnd(ws)
  t.match(run, { status: 'succeeded', review: 'pending', deleted: 0 })
  t.match(run.message, /because the run saw no people at all and would remove all 3/)
  t.same(await inactive(ws), [])
})

t.test('the guard\'s share is set per integration on the card', async t => {
  const ws = await setUp('share')
  directoryOf(10)
  await syncToEnd(ws)
  const [user] = await app.db('users').insert({ workspace_id: ws.id, email: 'adam@share.test', role: 'admin' }).returning('*')
  const session = await signIn(app, { slug: 'share', workspaceId: ws.id, userId: user.id })
  const form = await session.get(`/settings/integrations/${directory.id}`, HX)
  t.match(form.body, /name="removal_guard_percent" value="20"/, 'default 20%')
  const refused = await session.post(`/settings/integrations/${directory.id}/removal-guard`, { removal_guard_percent: '120' }, { headers: HX })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /class="field-error"[^>]*>Removal guard must be a whole number of percent from 0 to 100\./)
  const saved = await session.post(`/settings/integrations/${directory.id}/removal-guard`, { removal_guard_percent: '50' }, { headers: HX })
  t.equal(saved.statusCode, 200)
  t.match((await audits(ws, 'integration.removal_guard_set')).at(-1), { changes: { removal_guard_percent: { old: 20, new: 50 } } })
  forget(0, 1, 2, 3)
  t.match(await syncToEnd(ws), { status: 'succeeded', deleted: 8, review: null }, '40% goes ahead under a 50% guard')
})

t.test('Confirm on another workspace\'s run is a 404', async t => {
  const { ws, held } = await heldRun('owner')
  t.match(held, { review: 'pending' })
  const other = await setUp('intruder')
  const [user] = await app.db('users').insert({ workspace_id: other.id, email: 'mallory@intruder.test', role: 'super-admin' }).returning('*')
  const session = await signIn(app, { slug: 'intruder', workspaceId: other.id, userId: user.id })
  for (const decision of ['confirm', 'dismiss']) {
    const res = await session.post(`/settings/integrations/${directory.id}/runs/${held.id}/removals/${decision}`, {}, { headers: HX })
    t.equal(res.statusCode, 404, decision)
  }
  t.match(await app.integrations.run(ws.id, held.id), { review: 'pending' })
  t.same(await inactive(ws), [])
})

t.test('drainSync reports the would-be removals to a plugin\'s own test, as a run would make them', async t => {
  const ctx = createTestContext({ manifest: directory.manifest, settings: fake.settings, settingsSchema: directory.settingsSchema ?? undefined, http: { allowPrivateHosts: [new URL(fake.url).hostname] } })
  directoryOf(4)
  const store = createMemoryStore()
  const first = await drainSync(directory.connector!, ctx, { syncId: 'people', store, trackDeletes: ['person'] })
  t.same(first.wouldRemove, { device: [], person: [], seat: [] })
  forget(2)
  const second = await drainSync(directory.connector!, ctx, { syncId: 'people', store, trackDeletes: ['person'] })
  t.same(second.wouldRemove.person, ['p2'], 'the record the drain did not see')
  t.ok(store.person.has('p2'), 'the store keeps it')
  const untracked = await drainSync(directory.connector!, ctx, { syncId: 'people', store })
  t.same(untracked.wouldRemove.person, [], 'none without trackDeletes')
  const resumed = await drainSync(directory.connector!, ctx, { syncId: 'people', store, trackDeletes: ['person'], checkpoint: { cursor: '1' } })
  t.same(resumed.wouldRemove.person, [], 'none from a checkpoint: the drain did not read every record')
})

t.test('migration 023 rolls back and forward again', async t => {
  await migration023.down(app.db)
  t.notOk(await app.db.schema.hasTable('integration_run_seen'))
  t.notOk(await app.db.schema.hasColumn('integrations', 'removal_guard_percent'))
  await migration023.up(app.db)
  const ws = await setUp('after-migration')
  directoryOf(5)
  await syncToEnd(ws)
  forget(0)
  t.match(await syncToEnd(ws), { status: 'succeeded', deleted: 2 })
})
