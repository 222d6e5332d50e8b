// A process that dies while a run's removals are being written: they commit with the run's
// completion or not at all, so the run stays running, is resumed by recovery, and removes on its
// next attempt — with nothing cleared by hand. Leases and sweeps are shortened here.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { until } from './helpers/wait.ts'
import { systemActor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { ACTIVE } from '../core/integrations/runs.ts'
import { routeToFake } from '../core/sdk.ts'
import { startDirectoryFake } from './fixtures/directory-plugin/fake.ts'

const RECOVERY = { heartbeatMs: 100, goneAfterMs: 2000, graceMs: 2500, sweepMs: 200, leaseMs: 2000, renewMs: 200 }
const DIRECTORY = fileURLToPath(new URL('./fixtures/directory-plugin/', import.meta.url))
const [directory] = await discoverPlugins({ builtinDir: null, pluginDirs: [DIRECTORY] })
const fake = await startDirectoryFake()
t.teardown(() => fake.close())
const { app, workspace } = await buildTestApp(t, {}, { plugins: [directory], httpDispatcher: routeToFake(fake.url), recoveryTuning: RECOVERY })
const ws = await workspace('acme')
await allowPrivateHosts(app.db, ws.id, systemActor, [new URL(fake.url).hostname])
await app.integrations.settings.save(ws.id, systemActor, directory, fake.settings, { enabled: true })

const ended = async (id: string) => await until(async () => {
  const r = await app.integrations.run(ws.id, id)
  return r && !ACTIVE.includes(r.status) && r
}, 30_000)

t.test('a crash while removing leaves the run to recovery, which removes on the resumed attempt', async t => {
  fake.people.push(...Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, email: `person${i}@acme.test`, first: 'Person', last: String(i) })))
  const first = await app.integrations.sync(ws.id, directory.id)
  t.match(await ended(first.id), { status: 'succeeded', created: 10 })

  // The first deactivation fails the completion's transaction, as a process dying there would
  // (a sequence is not rolled back, so it fails once).
  await app.db.raw(`
    CREATE SEQUENCE crash_once;
    CREATE FUNCTION crash_once () RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF nextval('crash_once') = 1 THEN RAISE EXCEPTION 'the process stopped here'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER crash_once BEFORE UPDATE OF status ON users FOR EACH ROW WHEN (NEW.status = 'inactive') EXECUTE FUNCTION crash_once();`)
  t.teardown(() => app.db.raw('DROP TRIGGER IF EXISTS crash_once ON users; DROP FUNCTION IF EXISTS crash_once(); DROP SEQUENCE IF EXISTS crash_once'))
  fake.people.splice(9, 1)

  const run = await app.integrations.sync(ws.id, directory.id)
  const done = await ended(run.id)
  t.match(done, { status: 'succeeded', attempt: 2, deleted: 1 }, 'resumed by recovery, then completed with its removal')
  t.equal(Number((await app.db.raw('SELECT last_value FROM crash_once')).rows[0].last_value), 2, 'the first attempt did reach the removal and stopped there')
  t.equal((await app.db('users').where({ workspace_id: ws.id, email: 'person9@acme.test' }).first()).status, 'inactive')
  t.equal((await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.removed' })).length, 1, 'one removal, audited once')
  t.equal((await app.db('integration_run_seen').where({ run_id: run.id })).length, 0, 'what it saw is forgotten')
})
