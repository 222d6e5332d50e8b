// The manifest's oauth2 block: its schema, its {{setting}} placeholders against the settings schema,
// its resolution for a workspace's settings, and createTestContext signing in with it over real
// HTTP (token request host-checked, audited without the secret; missing settings reported as config).
import t from 'tap'
import { ConnectorError, HostNotAllowedError, OAuth2TokenError, createTestContext, routeToFake, testResultFromError, type OutboundCall } from '../core/sdk.ts'
import { manifestProblems, oauth2Placeholders, oauth2SettingsProblems, resolveOAuth2, type PluginManifest } from '../core/integrations/manifest.ts'
import type { SettingsSchema } from '../core/integrations/settings-validation.ts'
import { json, rejectsWith, vendor } from './helpers/vendor-server.ts'

const OAUTH2 = {
  tokenUrl: 'https://{{loginHost}}/{{tenantId}}/oauth2/v2.0/token',
  clientId: '{{clientId}}',
  clientSecret: '{{clientSecret}}',
  scope: 'https://{{apiHost}}/.default'
}

const MANIFEST = {
  id: 'acme-mdm',
  name: 'Acme MDM',
  version: '1.0.0',
  contract: 1,
  categories: ['device-management'],
  status: 'coming-soon',
  description: 'Devices from Acme MDM.',
  auth: 'oauth2-client-credentials',
  allowedHosts: ['{{loginHost}}', '{{apiHost}}'],
  oauth2: OAUTH2
}

const SCHEMA: SettingsSchema = {
  type: 'object',
  properties: {
    loginHost: { type: 'string', title: 'Sign-in host', default: 'login.acme.test' },
    apiHost: { type: 'string', title: 'API host', default: 'api.acme.test' },
    tenantId: { type: 'string', title: 'Tenant ID' },
    clientId: { type: 'string', title: 'Client ID' },
    clientSecret: { type: 'string', title: 'Client secret', writeOnly: true },
    pageSize: { type: 'integer' }
  }
}

const SETTINGS = { loginHost: 'login.acme.test', apiHost: 'api.acme.test', tenantId: 'contoso', clientId: 'app-1', clientSecret: 'Zx8~Q.very-secret-value' }

const withOAuth2 = (oauth2: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...MANIFEST, ...extra, oauth2 })

t.test('the schema: each field\'s rule in plain words', async t => {
  t.same(manifestProblems(MANIFEST), [], 'placeholders anywhere in the strings')
  t.same(manifestProblems(withOAuth2({ tokenUrl: '{{tenantUrl}}/api/oauth/token', clientId: 'fixed-id', clientSecret: '{{secret}}', clientAuth: 'basic' })), [],
    'a token URL may start with a URL setting; literal text and HTTP Basic are fine')
  const problems = (oauth2: Record<string, unknown>, extra?: Record<string, unknown>) => manifestProblems(withOAuth2(oauth2, extra))
  t.same(problems({ ...OAUTH2, tokenUrl: 'http://login.acme.test/token' }), [
    { field: '/oauth2/tokenUrl', message: 'must be an https:// URL or start with a {{setting}}; braces only in {{setting}} placeholders' }
  ])
  t.same(problems({ ...OAUTH2, tokenUrl: 'https://{{ loginHost }}/token' }).map(p => p.field), ['/oauth2/tokenUrl'], 'a malformed placeholder')
  t.same(problems({ ...OAUTH2, clientSecret: 'hunter2' }), [
    { field: '/oauth2/clientSecret', message: 'must be exactly one {{setting}} placeholder naming a writeOnly setting: a secret never lives in the manifest' }
  ])
  t.same(problems({ ...OAUTH2, scope: 'https://{{apiHost}/.default' }).map(p => p.field), ['/oauth2/scope'])
  t.same(problems({ tokenUrl: OAUTH2.tokenUrl, clientSecret: OAUTH2.clientSecret }), [{ field: '/oauth2/clientId', message: 'is required' }])
  t.same(problems({ ...OAUTH2, clientAuth: 'Basic' }), [{ field: '/oauth2/clientAuth', message: 'must be one of body, basic' }])
  t.same(problems({ ...OAUTH2, audience: 'x' }), [{ field: '/oauth2/audience', message: 'is not an allowed field' }])
  t.same(problems(OAUTH2, { auth: 'api-key' }), [{ field: '/auth', message: 'must be "oauth2-client-credentials" when the manifest has an oauth2 block' }])
})

t.test('placeholders must name string settings; only clientSecret names a secret, and it must', async t => {
  t.same(oauth2Placeholders(OAUTH2), [
    { field: 'tokenUrl', setting: 'loginHost' }, { field: 'tokenUrl', setting: 'tenantId' },
    { field: 'clientId', setting: 'clientId' }, { field: 'clientSecret', setting: 'clientSecret' }, { field: 'scope', setting: 'apiHost' }
  ])
  t.same(oauth2SettingsProblems(MANIFEST as PluginManifest, SCHEMA), [])
  const check = (oauth2: Record<string, unknown>, schema: SettingsSchema | null = SCHEMA) => oauth2SettingsProblems({ oauth2: oauth2 as unknown as PluginManifest['oauth2'] }, schema)
  t.same(check({ ...OAUTH2, tokenUrl: 'https://{{loginhost}}/token' }), [
    { field: '/oauth2/tokenUrl', message: 'uses {{loginhost}}, which is not a property of the settings schema' }
  ], 'names are case-sensitive')
  t.same(check({ ...OAUTH2, scope: '{{pageSize}}' }), [{ field: '/oauth2/scope', message: 'uses {{pageSize}}, which must be a string setting' }])
  t.same(check({ ...OAUTH2, clientSecret: '{{clientId}}' }), [{ field: '/oauth2/clientSecret', message: 'uses {{clientId}}, which must be writeOnly: it holds the client secret' }])
  t.same(check({ ...OAUTH2, tokenUrl: 'https://{{loginHost}}/{{clientSecret}}/token' }), [
    { field: '/oauth2/tokenUrl', message: 'uses {{clientSecret}}, a secret: only clientSecret may use a writeOnly setting' }
  ], 'a secret in a URL would reach the audit log')
  t.equal(check(OAUTH2, null).length, 5, 'a plugin without settings: every placeholder is a problem')
  t.same(check(OAUTH2, null)[0], { field: '/oauth2/tokenUrl', message: 'uses {{loginHost}}, but the plugin has no settings' })
})

t.test('resolving for a workspace: trimmed values anywhere in the strings, or config in plain words', async t => {
  t.same(resolveOAuth2({ name: 'Acme MDM' }, SETTINGS), {}, 'no oauth2 block: nothing to sign in with')
  t.same(resolveOAuth2(MANIFEST, { ...SETTINGS, tenantId: '  contoso ', clientId: ' app-1\n' }, SCHEMA), {
    credentials: {
      tokenUrl: 'https://login.acme.test/contoso/oauth2/v2.0/token',
      clientId: 'app-1',
      clientSecret: SETTINGS.clientSecret,
      scope: 'https://api.acme.test/.default'
    }
  })
  const jamfLike = { name: 'Jamf-like', oauth2: { tokenUrl: '{{tenantUrl}}/api/oauth/token', clientId: 'id', clientSecret: '{{secret}}', clientAuth: 'basic' } }
  t.same(resolveOAuth2(jamfLike, { tenantUrl: 'https://acme.example.com:8443/', secret: 's' }).credentials,
    { tokenUrl: 'https://acme.example.com:8443/api/oauth/token', clientId: 'id', clientSecret: 's', clientAuth: 'basic' }, 'a trailing slash before "/" is dropped')

  const missing = resolveOAuth2(MANIFEST, { ...SETTINGS, tenantId: ' ', clientSecret: undefined }, SCHEMA)
  t.equal(missing.credentials, undefined)
  t.ok(missing.notConfigured instanceof ConnectorError)
  t.match(missing.notConfigured, { reason: 'config', message: 'Acme MDM cannot sign in: Tenant ID and Client secret are not set. Fill them in under Settings → Integrations → Acme MDM and save.' })
  t.match(resolveOAuth2(MANIFEST, { ...SETTINGS, apiHost: '' }).notConfigured, { message: /^Acme MDM cannot sign in: apiHost is not set\. Fill it in/ }, 'the name without a schema')
  t.match(resolveOAuth2(jamfLike, { tenantUrl: 'http://acme.example.com', secret: 's' }, { type: 'object', properties: { tenantUrl: { type: 'string', title: 'Tenant URL' } } }).notConfigured,
    { reason: 'config', message: 'Jamf-like cannot sign in: the token URL built from Tenant URL must be an https:// address.' }, 'the secret never goes out in clear')
  t.throws(() => resolveOAuth2({ oauth2: { ...OAUTH2, clientAuth: 'Basic' } }, SETTINGS), /oauth2\.clientAuth must be "body" or "basic", not "Basic"/)
})

t.test('createTestContext signs in with the manifest\'s block over real HTTP', async t => {
  const v = await vendor(t, (hit, res) => {
    if (hit.path === '/contoso/oauth2/v2.0/token') return json(res, 200, { access_token: `tok-for-${hit.headers.host ?? ''}`, expires_in: 3599 })
    json(res, 200, { auth: hit.headers.authorization ?? null, value: [1, 2] })
  })
  const dispatcher = routeToFake(v.base)
  t.teardown(async () => { await dispatcher.close() })
  const calls: OutboundCall[] = []
  const ctx = createTestContext({ manifest: MANIFEST, settings: SETTINGS, settingsSchema: SCHEMA, dispatcher, http: { onCall: call => { calls.push(call) } } })

  const res = await ctx.http.request<{ auth: string }>({ url: 'https://api.acme.test/devices' })
  t.equal(res.body.auth, 'Bearer tok-for-login.acme.test', 'the bearer from the token URL built from the settings')
  await ctx.http.request({ url: 'https://api.acme.test/devices' })
  const [token] = v.hits
  t.same(Object.fromEntries(new URLSearchParams(token.body)), {
    grant_type: 'client_credentials', scope: 'https://api.acme.test/.default', client_id: 'app-1', client_secret: SETTINGS.clientSecret
  })
  t.equal(v.hits.length, 3, 'one token for both requests')
  t.match(calls, [
    { method: 'POST', host: 'login.acme.test', path: '/contoso/oauth2/v2.0/token', status: 200, attempts: 1 },
    { method: 'GET', host: 'api.acme.test', path: '/devices', status: 200 },
    { method: 'GET', host: 'api.acme.test', path: '/devices', status: 200 }
  ], 'the token request is audited like any call')
  t.notOk(JSON.stringify(calls).includes(SETTINGS.clientSecret), 'and never with the secret')
})

t.test('the token URL must be within allowedHosts: refused before the secret is sent', async t => {
  const v = await vendor(t, (_hit, res) => json(res, 200, { access_token: 'tok' }))
  const dispatcher = routeToFake(v.base)
  t.teardown(async () => { await dispatcher.close() })
  const ctx = createTestContext({ manifest: { ...MANIFEST, allowedHosts: ['{{apiHost}}'] }, settings: SETTINGS, dispatcher })
  const err = await rejectsWith(t, ctx.http.request({ url: 'https://api.acme.test/devices' }), HostNotAllowedError)
  t.match(err, { host: 'login.acme.test' })
  t.match(testResultFromError(err), { ok: false, reason: 'config' }, 'Test connection: config')
  t.equal(v.hits.length, 0, 'nothing reached any host')
})

t.test('a token refusal is the core\'s OAuth2TokenError, the secret redacted from it', async t => {
  const v = await vendor(t, (_hit, res) => json(res, 401, { error: 'invalid_client', error_description: `bad secret ${SETTINGS.clientSecret}` }))
  const dispatcher = routeToFake(v.base)
  t.teardown(async () => { await dispatcher.close() })
  const ctx = createTestContext({ manifest: MANIFEST, settings: SETTINGS, dispatcher })
  const err = await rejectsWith(t, ctx.http.request({ url: 'https://api.acme.test/devices' }), OAuth2TokenError) as OAuth2TokenError
  t.match(err, { status: 401, error: 'invalid_client', description: 'bad secret [redacted]' })
  t.notOk(JSON.stringify({ message: err.message, body: err.body, stack: err.stack }).includes(SETTINGS.clientSecret))
  t.match(testResultFromError(err), { ok: false, reason: 'auth', message: /invalid_client: bad secret \[redacted\]/ })
})

t.test('a sign-in setting not set: signed requests fail as config before anything is sent; auth: none still works', async t => {
  const v = await vendor(t, (_hit, res) => json(res, 200, { value: [1] }))
  const dispatcher = routeToFake(v.base)
  t.teardown(async () => { await dispatcher.close() })
  const ctx = createTestContext({ manifest: MANIFEST, settings: { ...SETTINGS, tenantId: '' }, settingsSchema: SCHEMA, dispatcher })
  const expected = { name: 'ConnectorError', reason: 'config', message: 'Acme MDM cannot sign in: Tenant ID is not set. Fill it in under Settings → Integrations → Acme MDM and save.' }
  const err = await rejectsWith(t, ctx.http.request({ url: 'https://api.acme.test/devices' }), expected)
  t.same(testResultFromError(err), { ok: false, reason: expected.reason, message: expected.message }, 'what Test connection reports')
  const pages = ctx.http.paginate<number>({ url: 'https://api.acme.test/devices' }, { type: 'link', items: body => body.value })
  await rejectsWith(t, pages[Symbol.asyncIterator]().next(), expected, 'paginate too: no page without signing in')
  t.equal(v.hits.length, 0, 'nothing went out unsigned')
  t.equal((await ctx.http.request({ url: 'https://api.acme.test/public', auth: 'none' })).status, 200, 'an explicitly unsigned request goes through')
})
