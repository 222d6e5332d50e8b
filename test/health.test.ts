import t from 'tap'
import { buildTestApp, TEST_MASTER_KEY } from './helpers/app.ts'

t.test('healthz answers ok and readyz checks the database and the queue', async t => {
  const { app } = await buildTestApp(t)
  const health = await app.inject({ url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
})

t.test('readyz answers 503 naming what is unreachable', async t => {
  const { app, database } = await buildTestApp(t)
  // A second app on the same database whose pool is closed: the database is unreachable for it.
  const { buildApp } = await import('../core/app.ts')
  const { createKnex } = await import('../core/db/index.ts')
  const closed = createKnex(database.url)
  const broken = await buildApp({ config: app.config, db: closed, databaseUrl: database.url, sessionSecret: 'x'.repeat(40), masterKey: TEST_MASTER_KEY, logger: false })
  await broken.ready()
  t.teardown(() => broken.close())
  await closed.destroy()
  const res = await broken.inject({ url: '/readyz' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unavailable', failing: ['database'] })
})

t.test('readyz answers 503 when the app\'s tables do not answer, though a connection opens', async t => {
  const { app } = await buildTestApp(t)
  await app.db.raw('ALTER TABLE workspaces RENAME TO workspaces_elsewhere')
  t.teardown(() => app.db.raw('ALTER TABLE workspaces_elsewhere RENAME TO workspaces'))
  const res = await app.inject({ url: '/readyz' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unavailable', failing: ['database'] })
})
