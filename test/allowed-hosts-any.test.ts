// allowedHosts '*': any https host, for a plugin whose hosts differ per tenant and that sends no
// secret (the SAML plugin fetching an identity provider's metadata URL). Plain http is refused,
// private addresses are still refused by the egress guard, and discovery refuses '*' beside a
// secret setting, an oauth2 block or headerAuth.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createHttpClient } from '../core/integrations/http.ts'
import { hostGuard } from '../core/integrations/http/hosts.ts'
import { AddressNotAllowedError, HostNotAllowedError } from '../core/integrations/http-types.ts'
import { anyHostProblems, manifestProblems } from '../core/integrations/manifest.ts'
import { discoverPlugins } from '../core/integrations/index.ts'

t.test("'*' lets any https host through the host check, never plain http or another scheme", async t => {
  const guard = hostGuard(['*'])
  t.equal(guard('https://idp.example.org/metadata').host, 'idp.example.org')
  t.equal(guard('https://login.tenant.example:8443/saml').host, 'login.tenant.example:8443')
  t.throws(() => guard('http://idp.example.org/metadata'), HostNotAllowedError)
  t.throws(() => guard('ftp://idp.example.org/metadata'), TypeError)
  t.throws(() => hostGuard(['api.example.com'])('https://idp.example.org/'), HostNotAllowedError, 'other patterns are as before')
})

t.test("'*' does not open private addresses: by IP literal or by a name resolving there, nothing is sent", async t => {
  let connections = 0
  const server = createServer((_req, res) => res.end('<EntityDescriptor/>'))
  server.on('connection', () => { connections++ })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => server.close(resolve)))
  const port = (server.address() as AddressInfo).port
  const http = createHttpClient({ allowedHosts: ['*'], maxRetries: 0, workspace: 'acme' })
  await t.rejects(http.request({ url: `https://127.0.0.1:${port}/metadata` }), AddressNotAllowedError)
  await t.rejects(http.request({ url: `https://localhost:${port}/metadata` }), AddressNotAllowedError)
  t.equal(connections, 0)
})

t.test("a manifest may say '*'; discovery refuses it beside anything that sends a secret", async t => {
  const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [new URL('./fixtures/external-plugin/', import.meta.url).pathname] })
  const { oauth2: _oauth2, headerAuth: _headerAuth, ...base } = example.manifest
  const oauth2 = { tokenUrl: 'https://login.example.com/token', clientId: 'id', clientSecret: '{{clientSecret}}' }
  t.same(manifestProblems({ ...base, auth: 'none', allowedHosts: ['*'] }), [])
  t.same(anyHostProblems({ allowedHosts: ['*'] }, { type: 'object', properties: { team: { type: 'string' } } }), [])
  t.same(anyHostProblems({ allowedHosts: ['*'] }, null), [])
  t.same(anyHostProblems({ allowedHosts: ['api.example.com', '*'] }, { type: 'object', properties: { apiKey: { type: 'string', writeOnly: true } } }), [
    { field: '/allowedHosts/1', message: "is '*' (any https host), which a plugin with the secret setting apiKey may not use: name the hosts its credentials go to" }
  ])
  t.same(anyHostProblems({ allowedHosts: ['*'], oauth2, headerAuth: { type: 'bearer', token: '{{token}}' } }, null), [
    { field: '/allowedHosts/0', message: "is '*' (any https host), which a plugin with oauth2 and headerAuth may not use: name the hosts its credentials go to" }
  ])
  const saml = (await discoverPlugins()).find(p => p.id === 'saml')
  t.same(saml?.manifest.allowedHosts, ['*'], 'the SAML plugin fetches metadata from its IdPs\' hosts')
})
