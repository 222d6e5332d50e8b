import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { scimClient } from './helpers/scim.ts'
import { until } from './helpers/wait.ts'
import { RequestLog, LOG_RETENTION_DAYS } from '../plugins/scim/http/request-log.ts'

// The provisioning log's batches and retention, on the database the suite runs on.

const { app, workspace } = await buildTestApp(t)
const acme = await workspace('acme')

const entry = (path: string) => ({ workspace_id: acme.id, token_id: acme.id, token_name: 'Okta', method: 'GET', path, resource_type: 'Users', resource_id: null, status: 200, scim_type: null, detail: null, duration_ms: 3 })

t.test(`a flush writes what is pending in one batch and deletes requests older than ${LOG_RETENTION_DAYS} days`, async t => {
  await app.pluginDb('scim')('scim_requests').insert([
    { ...entry('/Users/old'), at: app.db.raw(`now() - make_interval(days => ${LOG_RETENTION_DAYS + 1})`) },
    { ...entry('/Users/recent'), at: app.db.raw(`now() - make_interval(days => ${LOG_RETENTION_DAYS - 1})`) }
  ])
  const log = new RequestLog(app.pluginDb('scim'), app.log, 60_000)
  log.add(entry('/Users?count=1'))
  log.add(entry('/Users?count=2'))
  t.equal(await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id, path: '/Users?count=1' }).first(), undefined, 'held until the flush')
  await log.flush()
  const paths = (await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id }).orderBy('id')).map(r => r.path)
  t.same(paths, ['/Users/recent', '/Users?count=1', '/Users?count=2'])
})

t.test('an entry holding a NUL (a path or an error quoting what a client sent) is stored with it escaped, with its batch', async t => {
  const log = new RequestLog(app.pluginDb('scim'), app.log, 60_000)
  log.add(entry('/Users?count=3'))
  log.add({ ...entry('/Users/a\u0000b'), resource_id: 'a\u0000b', status: 400, scim_type: 'invalidValue', detail: 'id "a\u0000b" is refused' })
  log.add(entry('/Users?count=4'))
  await log.flush()
  const rows = await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id }).whereIn('path', ['/Users?count=3', '/Users/a\\u0000b', '/Users?count=4']).orderBy('id')
  t.same(rows.map(r => [r.path, r.resource_id, r.detail]), [
    ['/Users?count=3', null, null],
    ['/Users/a\\u0000b', 'a\\u0000b', 'id "a\\u0000b" is refused'],
    ['/Users?count=4', null, null]
  ])
})

t.test('a batch INSERT that still fails is written again in halves: only the entry that cannot be stored is lost, and logged', async t => {
  const errors: Array<{ entry?: { path: string } }> = []
  const logger = Object.assign(Object.create(app.log), { error: (details: { entry?: { path: string } }) => { errors.push(details) } })
  const log = new RequestLog(app.pluginDb('scim'), logger, 60_000)
  const nowhere = '00000000-0000-4000-8000-000000000000' // a workspace that does not exist (deleted meanwhile): a foreign key refuses it
  const paths = Array.from({ length: 9 }, (_, i) => `/Groups?count=${i}`)
  paths.forEach((path, i) => log.add(i === 6 ? { ...entry(path), workspace_id: nowhere } : entry(path)))
  await log.flush()
  const written = (await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id }).where('path', 'like', '/Groups?count=%').orderBy('id')).map(r => r.path)
  t.same(written, paths.filter((_, i) => i !== 6), 'the other eight are written')
  t.equal(errors.length, 1, 'one error logged')
  t.equal(errors[0].entry?.path, '/Groups?count=6', 'naming the lost entry')
})

const okta = await scimClient(app, acme.id, 'Okta')
const N = '\u0000'

t.test('one request with a NUL in a batch of the provisioning log: every other request of the batch is logged', async t => {
  const good = Array.from({ length: 12 }, (_, i) => `/Users?startIndex=${i + 1}`)
  // Sent together, so they share a 200 ms batch of the log.
  const answers = await Promise.all([...good.slice(0, 6), '/Users/batch%00', `/Users?filter=${encodeURIComponent(`userName eq "batch${N}"`)}`, ...good.slice(6)]
    .map(url => okta.call('GET', url)))
  t.same(answers.map(a => a.statusCode), [200, 200, 200, 200, 200, 200, 400, 400, 200, 200, 200, 200, 200, 200])
  const logged = await until(async () => {
    const rows = await app.pluginDb('scim')('scim_requests').where({ workspace_id: acme.id })
      .where(q => q.where('path', 'like', '/Users?startIndex=%').orWhere('path', 'like', '%batch\\\\u0000%')).orderBy('id')
    return rows.length >= good.length + 2 && rows
  }, 10_000)
  t.same(logged.map(r => r.path).filter(p => !p.includes('\\u0000')).sort(), [...good].sort(), 'every good request is in the log')
  const refused = logged.filter(r => r.path.includes('\\u0000'))
  t.same(refused.map(r => [r.path, r.status, r.scim_type]).sort(), [
    ['/Users/batch\\u0000', 400, 'invalidValue'],
    ['/Users?filter=userName eq "batch\\u0000"', 400, 'invalidValue']
  ], 'the refused ones too, the NUL written out')
})
