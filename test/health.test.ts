import t from 'tap'
import { buildTestApp } from './helpers/app.ts'

t.test('healthz answers ok and readyz checks the database and the queue', async t => {
  const { app } = await buildTestApp(t)
  const health = await app.inject({ url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
})
