import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { RequestLog, LOG_RETENTION_DAYS } from '../plugins/scim/http/request-log.ts'

// The provisioning log's batches and retention, on the database the suite runs on.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')

const entry = (path: string) => ({ workspace_id: acme.id, token_id: acme.id, token_name: 'Okta', method: 'GET', path, resource_type: 'Users', resource_id: null, status: 200, scim_type: null, detail: null, duration_ms: 3 })

t.test(`a flush writes what is pending in one batch and deletes requests older than ${LOG_RETENTION_DAYS} days`, async t => {
  await app.db('scim_requests').insert([
    { ...entry('/Users/old'), at: app.db.raw(`now() - make_interval(days => ${LOG_RETENTION_DAYS + 1})`) },
    { ...entry('/Users/recent'), at: app.db.raw(`now() - make_interval(days => ${LOG_RETENTION_DAYS - 1})`) }
  ])
  const log = new RequestLog(app.db, app.log, 60_000)
  log.add(entry('/Users?count=1'))
  log.add(entry('/Users?count=2'))
  t.equal(await app.db('scim_requests').where({ workspace_id: acme.id, path: '/Users?count=1' }).first(), undefined, 'held until the flush')
  await log.flush()
  const paths = (await app.db('scim_requests').where({ workspace_id: acme.id }).orderBy('id')).map(r => r.path)
  t.same(paths, ['/Users/recent', '/Users?count=1', '/Users?count=2'])
})
