// Header auth declared in the manifest (api-key, bearer, basic) and applied by ctx.http: the header
// reaches the vendor, is left out with auth: 'none', never reaches a host outside allowedHosts, is
// never in the plugin's log or the audit log, and a block that cannot work is refused with words.
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { headerAuthProblems, type HeaderAuthBlock } from '../core/integrations/http/header-auth.ts'
import { discoverPlugins, type DiscoveredPlugin } from '../core/integrations/index.ts'
import { manifestProblems } from '../core/integrations/manifest.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'
import type { SettingsSchema } from '../core/integrations/settings-validation.ts'
import { ACTIVE } from '../core/integrations/runs.ts'
import { ConnectorError, createTestContext, defineConnector, HostNotAllowedError, type ConnectorLogger } from '../core/sdk.ts'
import { buildTestApp } from './helpers/app.ts'
import { json, rejectsWith, vendor, type Vendor } from './helpers/vendor-server.ts'
import { until } from './helpers/wait.ts'

const KEY = 'k3y-Zx81-very-secret'
const USER = 'ada@acme.test'
const BASIC = Buffer.from(`${USER}/token:${KEY}`).toString('base64')

const schema: SettingsSchema = {
  type: 'object',
  properties: {
    baseUrl: { type: 'string', title: 'API base URL' },
    email: { type: 'string', title: 'Admin email' },
    apiKey: { type: 'string', title: 'API key', writeOnly: true }
  }
}

const KINDS: Array<{ block: HeaderAuthBlock, header: string, sent: string }> = [
  { block: { type: 'api-key', header: 'X-Api-Key', value: 'Token token={{apiKey}}' }, header: 'x-api-key', sent: `Token token=${KEY}` },
  { block: { type: 'bearer', token: '{{apiKey}}' }, header: 'authorization', sent: `Bearer ${KEY}` },
  { block: { type: 'basic', username: '{{email}}/token', password: '{{apiKey}}' }, header: 'authorization', sent: `Basic ${BASIC}` }
]

/** A logger that keeps every line it is given, as JSON. */
function keptLog (): { log: ConnectorLogger, lines: string[] } {
  const lines: string[] = []
  const keep = (obj: unknown, msg?: string) => { lines.push(JSON.stringify([obj, msg], (_k, v: unknown) => v instanceof Error ? { ...v, message: v.message } : v)) }
  return { log: { debug: keep, info: keep, warn: keep, error: keep }, lines }
}

function contextFor (v: Vendor, block: HeaderAuthBlock, settings: Record<string, unknown>, log?: ConnectorLogger) {
  return createTestContext({
    manifest: { name: 'Keyed', allowedHosts: ['127.0.0.1'], headerAuth: block },
    settings: { baseUrl: v.base, ...settings },
    settingsSchema: schema,
    http: { allowPrivateHosts: ['127.0.0.1', 'localhost'] },
    log
  })
}

for (const { block, header, sent } of KINDS) {
  t.test(`${block.type}: on every request but auth: 'none' ones, never to another host, never in the log`, async t => {
    const elsewhere = await vendor(t, (_hit, res) => json(res, 200, { value: ['stolen'] }))
    const v = await vendor(t, (hit, res) => {
      if (hit.path === '/echo') return json(res, 401, { error: 'bad credentials', received: hit.headers[header] ?? null })
      if (hit.path === '/pages') return json(res, 200, { value: [1] }, { link: `<http://localhost:${elsewhere.port}/pages?page=2>; rel="next"` })
      json(res, 200, { ok: true })
    })
    const { log, lines } = keptLog()
    const ctx = contextFor(v, block, { email: USER, apiKey: ` ${KEY} ` }, log)

    await ctx.http.request({ url: `${v.base}/me`, headers: { [header]: 'the plugin\'s own value' } })
    t.equal(v.hits[0].headers[header], sent, 'the declared header, the setting trimmed, replacing one the plugin set')
    await ctx.http.request({ url: `${v.base}/public`, auth: 'none' })
    t.equal(v.hits[1].headers[header], undefined, 'auth: \'none\' leaves it out')

    await rejectsWith(t, ctx.http.request({ url: `http://localhost:${elsewhere.port}/me` }), HostNotAllowedError)
    const pages: number[][] = []
    await rejectsWith(t, (async () => { for await (const page of ctx.http.paginate<number>({ url: `${v.base}/pages` }, { type: 'link', items: b => b.value })) pages.push(page) })(), HostNotAllowedError, 'a next link to another host')
    t.same(pages, [[1]])
    t.equal(elsewhere.hits.length, 0, 'nothing, and no header, ever reached a host outside allowedHosts')

    const refused = await ctx.http.request({ url: `${v.base}/echo`, expect: [401] })
    t.same(refused.body, { error: 'bad credentials', received: sent }, 'the vendor echoes what it got')
    ctx.log.warn({ err: new ConnectorError('auth', `refused: ${JSON.stringify(refused.body)}`), settings: ctx.settings }, `the vendor said ${JSON.stringify(refused.body)}`)
    const logged = lines.join('\n')
    t.notMatch(logged, KEY, 'the key appears nowhere in the log')
    t.notMatch(logged, BASIC, 'nor the header as sent')
    t.match(logged, '[redacted]')
  })
}

t.test('a setting the header needs is not set: requests that need it fail in plain words, nothing is sent', async t => {
  const v = await vendor(t, (_hit, res) => json(res, 200, {}))
  const ctx = contextFor(v, KINDS[2].block, { email: '  ' })
  await rejectsWith(t, ctx.http.request({ url: `${v.base}/me` }), {
    name: 'ConnectorError', reason: 'config', message: 'Keyed cannot sign in: Admin email and API key are not set. Fill them in under Settings → Integrations → Keyed and save.'
  })
  t.equal(v.hits.length, 0)
  await ctx.http.request({ url: `${v.base}/status`, auth: 'none' })
  t.equal(v.hits.length, 1, 'a request without auth still goes')
})

const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))] })

t.test('a manifest\'s headerAuth that cannot work is refused, naming the field and the rule', async t => {
  const settings: SettingsSchema = { ...schema, properties: { ...schema.properties, token: { type: 'string', title: 'Token' }, count: { type: 'integer' } } }
  const { oauth2: _oauth2, ...base } = example.manifest
  t.same(manifestProblems({ ...base, auth: 'api-key', headerAuth: { type: 'api-key', header: 'X Api Key', value: 'a{b}' } }), [
    { field: '/headerAuth/header', message: 'must be an HTTP header name: letters, digits and - (e.g. X-Api-Key)' },
    { field: '/headerAuth/value', message: 'must be one line of text whose braces are only {{setting}} placeholders' }
  ])
  t.same(manifestProblems({ ...base, auth: 'bearer', headerAuth: { type: 'jwt', token: '{{apiKey}}' } }), [{ field: '/headerAuth/type', message: 'must be one of api-key, bearer, basic' }])
  t.same(manifestProblems({ ...base, auth: 'bearer', headerAuth: { type: 'bearer', token: '{{apiKey}}' } }), [], 'a valid block')

  t.same(headerAuthProblems({ auth: 'api-key', headerAuth: { type: 'bearer', token: '{{token}}', header: 'X-Key' } as unknown as HeaderAuthBlock }, settings), [
    { field: '/headerAuth/header', message: 'is not a field of bearer header auth (it has token)' },
    { field: '/auth', message: 'must be "bearer" when the manifest has a bearer headerAuth block' },
    { field: '/headerAuth/token', message: 'must hold a {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest' }
  ])
  t.same(headerAuthProblems({ auth: 'basic', oauth2: {}, headerAuth: { type: 'basic', username: '{{count}}', password: '{{missing}}' } }, settings), [
    { field: '/headerAuth', message: 'cannot stand beside an oauth2 block: a plugin signs in one way' },
    { field: '/headerAuth/username', message: 'uses {{count}}, which must be a string setting' },
    { field: '/headerAuth/password', message: 'uses {{missing}}, which is not a property of the settings schema' },
    { field: '/headerAuth/password', message: 'must hold a {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest' }
  ])
  t.same(headerAuthProblems({ auth: 'api-key', headerAuth: { type: 'api-key', header: 'X-Key', value: 'plain-text-key' } }, null), [
    { field: '/headerAuth/value', message: 'must hold a {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest' }
  ])
  t.same(headerAuthProblems({ auth: 'basic', headerAuth: { type: 'basic', username: '{{email}}', password: '{{apiKey}}' } }, settings), [])
})

t.test('through the platform: the connector writes no auth code, the audit log and the app log never hold the key', async t => {
  const v = await vendor(t, (hit, res) => hit.headers.authorization === `Bearer ${KEY}`
    ? json(res, 200, { me: 'ok' })
    : json(res, 401, { error: 'no key', received: hit.headers.authorization ?? null }))
  const keyed: DiscoveredPlugin = {
    ...example,
    id: 'keyed',
    manifest: { ...example.manifest, id: 'keyed', name: 'Keyed', auth: 'bearer', headerAuth: { type: 'bearer', token: '{{apiKey}}' } },
    connector: defineConnector<{ baseUrl: string }>({
      async test (ctx) {
        const me = await ctx.http.request({ url: `${ctx.settings.baseUrl}/v1/me`, expect: [200, 401] })
        ctx.log.info({ settings: ctx.settings, body: me.body }, 'tested')
        return me.status === 200 ? { ok: true } : { ok: false, reason: 'auth', message: 'refused' }
      }
    })
  }
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const { app, workspace } = await buildTestApp(t, { }, { plugins: [keyed], logger: { level: 'debug', stream } })
  const ws = await workspace('acme')
  const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
  await allowPrivateHosts(app.db, ws.id, systemActor, ['127.0.0.1'])
  await app.integrations.settings.save(ws.id, admin, keyed, { baseUrl: v.base, apiKey: KEY }, { enabled: true })

  const run = await app.integrations.test(ws.id, 'keyed')
  await app.integrations.executeNow(ws.id, run.id)
  const done = await until(async () => {
    const r = await app.integrations.run(ws.id, run.id)
    return r !== undefined && !ACTIVE.includes(r.status) && r
  })
  t.match(done, { status: 'succeeded' }, 'the vendor got the bearer the manifest declares')
  t.equal(v.hits[0].headers.authorization, `Bearer ${KEY}`)
  const calls = await app.db('audit_log').where({ workspace_id: ws.id, action: 'integration.http_call' })
  t.equal(calls.length, 1, 'the call is audited')
  t.notMatch(JSON.stringify(calls), KEY, 'without the key')
  t.notMatch(JSON.stringify(await app.db('audit_log').where({ workspace_id: ws.id })), KEY, 'nor any other audit entry')
  t.match(lines.join(''), 'tested', 'the connector\'s line was logged')
  t.notMatch(lines.join(''), KEY, 'and the app log never holds the key')
})
