// ctx.http's private-address guard over real connections: a connector cannot reach loopback,
// private or other special-purpose addresses (by IP literal or by a name resolving there, the
// OAuth token request included) unless the operator allowed the host for the workspace. A refusal
// is a config failure with a message naming the host, the address and the operator's command.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildTestApp } from './helpers/app.ts'
import { signIn } from './helpers/session.ts'
import { pollRun } from './helpers/wait.ts'
import { systemActor, type Actor } from '../core/audit/index.ts'
import { discoverPlugins } from '../core/integrations/index.ts'
import { allowPrivateHosts } from '../core/integrations/private-hosts.ts'

const admin: Actor = { type: 'user', id: null, label: 'admin@acme.test' }
const [inventory] = await discoverPlugins({ builtinDir: null, pluginDirs: [fileURLToPath(new URL('./fixtures/external-plugin/', import.meta.url))] })
const jamf = (await discoverPlugins()).find(p => p.id === 'jamf')!

/** A vendor on this machine (IPv4 and IPv6 loopback) that counts the connections it is sent. */
async function localVendor (): Promise<{ port: number, connections: () => number }> {
  let connections = 0
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.url === '/v1/me' ? { name: 'Local' } : { devices: [], next: null }))
  })
  server.on('connection', () => { connections++ })
  await new Promise<void>(resolve => server.listen(0, '::', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  return { port: (server.address() as AddressInfo).port, connections: () => connections }
}

const vendor = await localVendor()
const { app, workspace } = await buildTestApp(t, { STOCKTAKE_WORKER: '0' }, { plugins: [inventory, jamf] })
const acme = await workspace('acme')

/** Saves the base URL, runs Test connection (or a sync) to its end; the run, and the reason audited. */
async function run (baseUrl: string, kind: 'test' | 'sync' = 'test') {
  const saved = await app.integrations.settings.save(acme.id, admin, inventory, { baseUrl, apiKey: 'local-key' }, { enabled: true })
  if (!saved.ok) throw new Error(`not saved: ${JSON.stringify(saved.errors)}`)
  const queued = kind === 'test' ? await app.integrations.test(acme.id, inventory.id) : await app.integrations.sync(acme.id, inventory.id)
  await app.integrations.executeNow(acme.id, queued.id)
  const done = (await app.integrations.run(acme.id, queued.id))!
  const audit = await app.db('audit_log').where({ workspace_id: acme.id, action: kind === 'test' ? 'integration.tested' : 'integration.synced' }).orderBy('id', 'desc').first()
  return { ...done, reason: audit.details.reason as string | undefined }
}

const REMEDY = 'If (\\S+) is a server of yours on a private network \\(an on-premises server\\), the operator can allow it for this workspace with: npx stocktake allow-private-host --workspace acme \\1$'

t.test('a vendor on a loopback address is refused until the operator allows its host', async t => {
  const url = `http://127.0.0.1:${vendor.port}`
  const refused = await run(url)
  t.match(refused, { status: 'failed', reason: 'config' })
  t.match(refused.message, new RegExp(`^Stocktake did not connect: 127\\.0\\.0\\.1 is a loopback address, and integrations reach only public addresses\\. ${REMEDY}`))
  const sync = await run(url, 'sync')
  t.match(sync, { status: 'failed', reason: 'config', attempt: 1 }, 'a sync fails for the same reason, and is not retried')
  t.match(sync.message, /^Stocktake did not connect: 127\.0\.0\.1 is a loopback address/)
  t.equal(vendor.connections(), 0, 'nothing reached the vendor')

  t.same(await allowPrivateHosts(app.db, acme.id, systemActor, ['127.0.0.1']), ['127.0.0.1'])
  t.match(await run(url), { status: 'succeeded', message: 'Connected.' }, 'allowed: the test connects')
  t.ok(vendor.connections() > 0)
  t.match(await run(url, 'sync'), { status: 'succeeded' })
})

t.test('a name is checked on the address it resolves to, when connecting', async t => {
  const before = vendor.connections()
  const url = `http://localhost:${vendor.port}`
  const refused = await run(url)
  t.match(refused, { status: 'failed', reason: 'config' })
  t.match(refused.message, new RegExp(`^Stocktake did not connect: localhost resolves to (?:127\\.0\\.0\\.1|::1), a loopback address, and integrations reach only public addresses\\. ${REMEDY}`),
    'allowing 127.0.0.1 does not allow a name that resolves there')
  const call = await app.db('audit_log').where({ workspace_id: acme.id, action: 'integration.http_call' }).orderBy('id', 'desc').first()
  t.match(call.details, { host: `localhost:${vendor.port}`, status: null, attempts: 1, statuses: [null], error: /localhost resolves to/ }, 'one attempt, audited: no retry')
  t.equal(vendor.connections(), before, 'nothing reached the vendor')
  await allowPrivateHosts(app.db, acme.id, systemActor, ['LOCALHOST.'])
  t.match(await run(url), { status: 'succeeded' })
})

t.test('IP literals of special-purpose ranges are refused before connecting, however spelt', async t => {
  const before = vendor.connections()
  for (const [host, words] of [
    ['[::1]', '::1 is a loopback address'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1 is a loopback address'],
    ['198.18.0.1', '198.18.0.1 is a reserved address'],
    ['[64:ff9b::7f00:1]', '64:ff9b::7f00:1 is a NAT64 address'],
    ['[2002:7f00:1::]', '2002:7f00:1:: is a 6to4 address'],
    ['0.0.0.0', '0.0.0.0 is the unspecified address'],
    ['2130706434', '127.0.0.2 is a loopback address']
  ]) {
    const refused = await run(`http://${host}:${vendor.port}`)
    t.match(refused, { status: 'failed', reason: 'config' }, host)
    t.match(refused.message, `Stocktake did not connect: ${words}`, host)
  }
  t.equal(vendor.connections(), before, 'nothing reached the vendor')
  await allowPrivateHosts(app.db, acme.id, systemActor, ['[::1]'])
  t.match(await run(`http://[::1]:${vendor.port}`), { status: 'succeeded' }, 'an allowed IPv6 literal connects')
  t.ok(vendor.connections() > before)
})

t.test('the OAuth token request is guarded too, and the card says why', async t => {
  const beta = await workspace('beta')
  const [user] = await app.db('users').insert({ workspace_id: beta.id, email: 'adam@beta.test', role: 'admin', first_name: 'Adam', last_name: 'Admin' }).returning('id')
  const session = await signIn(app, { slug: 'beta', workspaceId: beta.id, userId: user.id })
  const before = vendor.connections()
  const form = { tenantUrl: `https://localhost:${vendor.port}`, clientId: '6cabf059-21c9-44d6-bbde-02898f7430dd', clientSecret: 'jamf-secret', enabled: 'true' }
  t.equal((await session.post('/settings/integrations/jamf', form, { headers: { 'hx-request': 'true' } })).statusCode, 200)
  const queued = await session.post('/settings/integrations/jamf/test', {}, { headers: { 'hx-request': 'true' } })
  const running = app.integrations.executeNow(beta.id, /runs\/([0-9a-f-]{36})/.exec(queued.body)![1])
  const card = await pollRun(session, queued.body, 'jamf')
  await running
  t.match(card, /Stocktake did not connect: localhost resolves to (127\.0\.0\.1|::1), a loopback address/, 'Test connection shows the refusal')
  t.match(card, 'npx stocktake allow-private-host --workspace beta localhost', 'and what the operator can do')
  t.equal(vendor.connections(), before, 'the client secret went nowhere')
  const call = await app.db('audit_log').where({ workspace_id: beta.id, action: 'integration.http_call' }).first()
  t.match(call.details, { method: 'POST', path: '/api/oauth/token', error: /localhost resolves to/ }, 'the refused call was the token request')
})
