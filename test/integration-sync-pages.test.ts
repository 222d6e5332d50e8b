// A sync written with ctx.http.pages and pageMessages, run for real: a checkpoint after each page
// reaches integration_state, and a run that fails after page 2 resumes at page 3 on its retry.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import { ACTIVE, type RunRow } from '../core/integrations/runs.ts'
import { defineConnector, pageMessages, type Checkpoint, type DeviceRecord } from '../core/sdk.ts'
import { buildTestApp } from './helpers/app.ts'
import { json, vendor } from './helpers/vendor-server.ts'
import { until } from './helpers/wait.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))] })

interface Device { id: string, serial: string | null }
const fleet: Device[] = [
  { id: 'd1', serial: 'PAGE-1' }, { id: 'd2', serial: 'PAGE-2' },
  { id: 'd3', serial: 'PAGE-3' }, { id: 'd4', serial: null },
  { id: 'd5', serial: 'PAGE-5' }, { id: 'd6', serial: 'PAGE-6' }
]
let throttlePage3 = true
const api = await vendor(t, (hit, res) => {
  const at = Number(hit.query.get('cursor') ?? 0)
  if (at === 4 && throttlePage3) return json(res, 429, { error: 'slow down' }, { 'retry-after': '600' })
  json(res, 200, { devices: fleet.slice(at, at + 2), next: at + 2 < fleet.length ? String(at + 2) : null })
})

const checkpointsGiven: Array<Checkpoint | null> = []
const paged: DiscoveredPlugin = {
  ...example,
  id: 'paged',
  manifest: { ...example.manifest, id: 'paged', name: 'Paged', syncs: [{ id: 'devices', model: 'device', mode: 'full' }] },
  connector: defineConnector<{ baseUrl: string, apiKey: string }>({
    async * sync (ctx, { checkpoint }) {
      checkpointsGiven.push(checkpoint)
      const pages = ctx.http.pages<Device>({ url: `${ctx.settings.baseUrl}/v1/devices` }, { type: 'cursor', param: 'cursor', items: b => b.devices, next: b => b.next }, { resumeFrom: checkpoint })
      yield * pageMessages(pages, {
        model: 'device',
        map: (d): { record: DeviceRecord } | { externalId: string, reason: string } =>
          d.serial === null ? { externalId: d.id, reason: 'the vendor reports no serial for it' } : { record: { externalId: d.id, serial: d.serial, model: 'Laptop' } }
      })
    }
  })
}

const { app, workspace } = await buildTestApp(t, {}, { plugins: [paged] })
const ws = await workspace('acme')
await allowPrivateHosts(app.db, ws.id, systemActor, ['127.0.0.1'])
await app.integrations.settings.save(ws.id, admin, paged, { baseUrl: api.base, apiKey: 'key-1234' }, { enabled: true })

const state = async () => (await app.db('integration_state').where({ workspace_id: ws.id, plugin_id: 'paged' }).first())?.checkpoint ?? null

t.test('a run that fails after page 2 resumes at page 3, and ends with every device once', async t => {
  const run = await app.integrations.sync(ws.id, 'paged')
  await app.integrations.executeNow(ws.id, run.id)
  const waiting = await app.integrations.run(ws.id, run.id)
  t.match(waiting, { status: 'retry_scheduled', read: 4, attempt: 2 }, 'two pages read, the third throttled past the wait cap')
  t.same(await state(), { cursor: '4' }, 'the checkpoint after page 2 is saved: the resume token as it is')

  throttlePage3 = false
  // the vendor asked for ten minutes: the clock is moved on rather than waited out
  await app.db('integration_runs').where({ id: run.id }).update({ retry_at: app.db.raw("now() - interval '1 second'") })
  const before = api.hits.length
  const done = await until(async () => {
    await app.integrations.executeNow(ws.id, run.id)
    const r = await app.integrations.run(ws.id, run.id)
    return r !== undefined && r !== null && !ACTIVE.includes(r.status) && r as RunRow
  })
  t.match(done, { status: 'succeeded', read: 6, created: 5, errors: 1 }, 'the totals include the first attempt; the device without a serial is a skip with its reason')
  t.same(checkpointsGiven, [null, { cursor: '4' }], 'the retry was given the saved checkpoint')
  t.same(api.hits.slice(before).map(h => h.url), ['/v1/devices?cursor=4'], 'and read page 3 only')
  t.match(done.error_details, [{ externalId: 'd4', reason: 'the vendor reports no serial for it' }])
  t.same((await app.db('hardware').where({ workspace_id: ws.id }).orderBy('serial')).map(h => h.serial), ['PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-5', 'PAGE-6'])
  t.equal(await state(), null, 'a completed full sync clears its checkpoint')
})
