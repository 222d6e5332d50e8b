// The SDK's fake-vendor kit (stocktake/sdk/testing), driven through the core's own ctx.http (as a
// connector drives a fake) and, for the authorization-code grant, through plain HTTP as a browser
// and the core's callback would: routes and the request log, injected failures (status with
// Retry-After, a bad body, a dropped connection), the OAuth token endpoint and its switches,
// paging helpers, and the one-call connector test set-up.
import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { defineConnector, OAuth2TokenError } from '../core/sdk.ts'
import {
  addOAuthEndpoint, connectorTest, createTestContext, linkOnCalledHost, nextLinkHeader, opaqueCursors, pageOf, routeToFake,
  startFakeVendor, type FakeVendor
} from '../core/sdk/testing.ts'

async function vendorFor (test: Test): Promise<FakeVendor> {
  const vendor = await startFakeVendor({ errorBody: status => ({ code: `E${status}` }) })
  test.teardown(vendor.close)
  return vendor
}

/** ctx.http calling https://api.vendor.example, answered by `vendor`. */
function ctxFor (test: Test, vendor: FakeVendor, oauth2?: { tokenUrl: string, clientId: string, clientSecret: string }) {
  const dispatcher = routeToFake(vendor.url)
  test.teardown(() => dispatcher.close())
  return createTestContext({
    manifest: { allowedHosts: ['api.vendor.example'], ...(oauth2 === undefined ? {} : { oauth2 }) },
    settings: {},
    dispatcher,
    http: { maxRetries: 2, maxWaitMs: 3000 }
  })
}

const API = 'https://api.vendor.example'

t.test('routes answer with JSON or text; the log keeps every request, a form without its client_secret', async t => {
  const vendor = await vendorFor(t)
  vendor.route('GET', /^\/v1\/things\/([^/]+)$/, req => ({ status: 200, body: { id: req.captured[0], page: req.query.page } }))
  vendor.route('POST', '/v1/echo', req => ({ status: 201, body: `got ${req.form?.name ?? ''} ${req.form?.client_secret ?? ''}` }))
  const { http } = ctxFor(t, vendor)
  t.same((await http.request({ url: `${API}/v1/things/a%20b`, query: { page: 2 } })).body, { id: 'a b', page: '2' })
  const echoed = await http.request({ method: 'POST', url: `${API}/v1/echo`, form: { name: 'x', client_secret: 'hunter22' } })
  t.same([echoed.status, echoed.body, echoed.headers['content-type']], [201, 'got x hunter22', 'text/plain; charset=utf-8'], 'the handler sees the whole form')
  t.match(vendor.requests, [
    { method: 'GET', host: 'api.vendor.example', path: '/v1/things/a%20b', query: { page: '2' } },
    { method: 'POST', path: '/v1/echo', form: { name: 'x' }, body: 'name=x' }
  ])
  t.notOk(JSON.stringify(vendor.requests.map(({ headers: _, searchParams: __, ...r }) => r)).includes('hunter22'), 'the log holds no secret')
  t.equal(vendor.requestsTo('/v1/echo').length, 1)

  const missing = await http.request({ url: `${API}/v1/nothing`, expect: [404] })
  t.same([missing.status, missing.body], [404, { code: 'E404' }], 'an unknown path is the vendor\'s 404')
  t.equal((await http.request({ method: 'DELETE', url: `${API}/v1/echo`, expect: [405] })).status, 405, 'a known path, another method: 405')
})

t.test('injected failures: a status with Retry-After, a bad body, a dropped connection, aimed at a route or a request', async t => {
  const vendor = await vendorFor(t)
  vendor.route('GET', '/v1/items', req => ({ status: 200, body: { items: [req.query.n ?? '0'] } }), { name: 'items' })
  vendor.route('GET', '/v1/other', () => ({ status: 200, body: { ok: true } }))
  const { http } = ctxFor(t, vendor)

  vendor.failNext({ status: 429, retryAfter: 1 })
  const started = Date.now()
  t.same((await http.request({ url: `${API}/v1/items` })).body, { items: ['0'] })
  t.ok(Date.now() - started >= 900, 'ctx.http waited the Retry-After')
  t.same(vendor.requests.map(r => r.path), ['/v1/items', '/v1/items'])

  vendor.failNext({ status: 503, times: 3 })
  await t.rejects(http.request({ url: `${API}/v1/items` }), { name: 'HttpStatusError', status: 503, body: { code: 'E503' } }, 'the vendor\'s error body, until the retries run out')
  t.equal(vendor.pendingFailures(), 0)

  vendor.failNext({ status: 200, body: '{"items": [', headers: { 'content-type': 'application/json' } })
  t.equal((await http.request({ url: `${API}/v1/items` })).body, '{"items": [', 'a truncated JSON body reaches the connector as text, for its shape check')

  vendor.failNext({ drop: true })
  t.same((await http.request({ url: `${API}/v1/items` })).body, { items: ['0'] }, 'a dropped connection is retried as a network failure')
  t.equal(vendor.requestsTo('items').length, 2 + 3 + 1 + 2, 'the 429 and its retry, three 503s, the bad body, the dropped one and its retry')

  vendor.failNext({ status: 500, route: 'items', when: req => req.query.n === '2' })
  t.same((await http.request({ url: `${API}/v1/other` })).body, { ok: true }, 'another route is not hit')
  t.same((await http.request({ url: `${API}/v1/items`, query: { n: 1 } })).body, { items: ['1'] }, 'nor another request')
  t.equal(vendor.pendingFailures(), 1)
  t.same((await http.request({ url: `${API}/v1/items`, query: { n: 2 } })).body, { items: ['2'] }, 'the aimed request fails once and is retried')
  t.equal(vendor.pendingFailures(), 0)
})

t.test('client credentials through the core\'s ctx.http: one token, a fresh one after expiry, refusals as OAuth2TokenError', async t => {
  const vendor = await vendorFor(t)
  const oauth = addOAuthEndpoint(vendor, { tokenPath: '/oauth/token', lifetimeSeconds: 600, clientSecret: 'a:secret with % and : in it' })
  vendor.route('GET', '/v1/me', () => ({ status: 200, body: { me: true } }), { guard: oauth.guard })
  const manifestBlock = { tokenUrl: `${API}/oauth/token`, clientId: oauth.clientId, clientSecret: oauth.clientSecret }
  const { http } = ctxFor(t, vendor, manifestBlock)
  t.same((await http.request({ url: `${API}/v1/me` })).body, { me: true })
  await http.request({ url: `${API}/v1/me` })
  t.equal(oauth.tokenRequests().length, 1, 'the token is reused')
  t.match(oauth.tokenRequests()[0].form ?? {}, { grant_type: 'client_credentials' })

  oauth.expireTokens()
  t.same((await http.request({ url: `${API}/v1/me` })).body, { me: true }, 'the 401 gets a fresh token')
  t.equal(oauth.tokenRequests().length, 2)
  t.same(vendor.requestsTo('/v1/me').map(r => r.path).length, 4, 'the refused request and its retry')

  oauth.expireTokens()
  oauth.refuse('invalid_secret')
  await t.rejects(http.request({ url: `${API}/v1/me` }), OAuth2TokenError)
  oauth.accept()
  t.same((await http.request({ url: `${API}/v1/me` })).body, { me: true }, 'accepted again')

  const wrong = ctxFor(t, vendor, { ...manifestBlock, clientSecret: 'not-it' })
  const err = await wrong.http.request({ url: `${API}/v1/me` }).catch((e: unknown) => e)
  t.match(err, { name: 'OAuth2TokenError', status: 401, error: 'invalid_client' }, 'RFC 6749: a client that fails to authenticate is 401 invalid_client')
  const unknown = await ctxFor(t, vendor, { ...manifestBlock, clientId: 'someone' }).http.request({ url: `${API}/v1/me` }).catch((e: unknown) => e)
  t.match(unknown, { status: 401, error: 'invalid_client' })
})

t.test('authorization code with PKCE, then rotated refresh tokens, with expire and refuse switches', async t => {
  const vendor = await vendorFor(t)
  const oauth = addOAuthEndpoint(vendor, { tokenPath: '/oauth/token', authorizePath: '/oauth/authorize', grants: ['authorization_code', 'refresh_token'], clientSecret: 'with:colon%' })
  vendor.route('GET', '/v1/me', () => ({ status: 200, body: { me: true } }), { guard: oauth.guard })
  const redirectUri = 'https://stocktake.example/integrations/oauth/callback'
  const verifier = 'a-verifier-of-at-least-forty-three-characters-0123456789'
  const challenge = createHash('sha256').update(verifier).digest('base64url')

  async function authorize (state: string): Promise<URL> {
    const url = new URL('/oauth/authorize', vendor.url)
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: oauth.clientId, redirect_uri: redirectUri, state, code_challenge: challenge, code_challenge_method: 'S256' })) url.searchParams.set(k, v)
    const res = await fetch(url, { redirect: 'manual' })
    t.equal(res.status, 302)
    return new URL(res.headers.get('location') ?? '')
  }
  async function token (fields: Record<string, string>): Promise<{ status: number, body: Record<string, unknown> }> {
    const res = await fetch(new URL('/oauth/token', vendor.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(oauth.clientId)}:${encodeURIComponent(oauth.clientSecret)}`).toString('base64')}` }, // RFC 6749 §2.3.1
      body: new URLSearchParams(fields)
    })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }
  const me = async (accessToken: unknown) => (await fetch(new URL('/v1/me', vendor.url), { headers: { authorization: `Bearer ${String(accessToken)}` } })).status

  const back = await authorize('s1')
  t.equal(back.origin + back.pathname, redirectUri)
  t.equal(back.searchParams.get('state'), 's1', 'the state comes back')
  const code = back.searchParams.get('code') ?? ''
  t.match(await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'wrong' }), { status: 400, body: { error: 'invalid_grant' } }, 'a wrong verifier')
  t.match(await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }), { status: 400 }, 'the code was used up by the failed attempt')

  const fresh = (await authorize('s2')).searchParams.get('code') ?? ''
  t.match(await token({ grant_type: 'authorization_code', code: fresh, redirect_uri: 'https://elsewhere.example/cb', code_verifier: verifier }), { status: 400, body: { error: 'invalid_grant' } }, 'another redirect URI')
  const good = (await authorize('s3')).searchParams.get('code') ?? ''
  const first = await token({ grant_type: 'authorization_code', code: good, redirect_uri: redirectUri, code_verifier: verifier })
  t.match(first, { status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: String, refresh_token: String } })
  t.equal(await me(first.body.access_token), 200)
  t.match(await token({ grant_type: 'client_credentials' }), { status: 400, body: { error: 'unsupported_grant_type' } }, 'only the grants declared')

  oauth.expireTokens()
  t.equal(await me(first.body.access_token), 401, 'expired')
  const second = await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) })
  t.match(second, { status: 200, body: { access_token: String, refresh_token: String } })
  t.not(second.body.refresh_token, first.body.refresh_token, 'the refresh token is rotated')
  t.equal(await me(second.body.access_token), 200)
  t.match(await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) }), { status: 400, body: { error: 'invalid_grant' } }, 'the old one is used up')

  oauth.refuse('refused', 'refresh_token')
  t.match(await token({ grant_type: 'refresh_token', refresh_token: String(second.body.refresh_token) }), { status: 400, body: { error: 'invalid_grant' } }, 'a refused refresh')
  oauth.accept()
  const third = await token({ grant_type: 'refresh_token', refresh_token: String(second.body.refresh_token) })
  t.equal(third.status, 200, 'refusing did not use the refresh token up')
  oauth.expireRefreshTokens()
  t.match(await token({ grant_type: 'refresh_token', refresh_token: String(third.body.refresh_token) }), { status: 400, body: { error: 'invalid_grant' } }, 'expired refresh tokens: consent again')

  oauth.denyConsent()
  const denied = await authorize('s4')
  t.same([denied.searchParams.get('error'), denied.searchParams.get('state'), denied.searchParams.get('code')], ['access_denied', 's4', null])
})

t.test('paging helpers: opaque cursors only this fake accepts, pages built on demand, next links on the called host', async t => {
  const cursors = opaqueCursors()
  t.equal(cursors.decode(cursors.encode(1500)), 1500)
  t.equal(opaqueCursors().decode(cursors.encode(1500)), null, 'another fake\'s cursor')
  t.equal(cursors.decode('Zm9yZ2Vk'), null, 'a forged one')
  const built: number[] = []
  t.same(pageOf(25, 20, 10, i => { built.push(i); return `item ${i}` }), ['item 20', 'item 21', 'item 22', 'item 23', 'item 24'])
  t.same(built, [20, 21, 22, 23, 24], 'only the page is built')
  const req = { host: 'graph.microsoft.com' } as Parameters<typeof linkOnCalledHost>[0]
  t.equal(linkOnCalledHost(req, '/v1.0/items', new URLSearchParams({ $top: '10', $select: 'id,name' })), 'https://graph.microsoft.com/v1.0/items?$top=10&$select=id,name')
  t.equal(linkOnCalledHost({ ...req, host: '127.0.0.1:8080' }, '/x', new URLSearchParams({ a: '1' })), 'http://127.0.0.1:8080/x?a=1')
  t.same(nextLinkHeader('https://api.vendor.example/x?page=2'), { link: '<https://api.vendor.example/x?page=2>; rel="next"' })
})

t.test('connectorTest: one call starts the fake, routes to it, validates settings, drains syncs and closes the fake after the test', async t => {
  const startFake = async (options: { rejectCredentials?: boolean, size?: number } = {}) => {
    const vendor = await startFakeVendor()
    const oauth = addOAuthEndpoint(vendor, { tokenPath: '/token' })
    const cursors = opaqueCursors()
    const size = options.size ?? 5
    vendor.route('GET', '/devices', req => {
      const start = req.query.cursor === undefined ? 0 : cursors.decode(req.query.cursor) ?? 0
      const devices = pageOf(size, start, 2, i => ({ externalId: `d${i}`, serial: `SN${i}` }))
      return { status: 200, body: { devices, next: start + 2 < size ? cursors.encode(start + 2) : null } }
    }, { guard: oauth.guard })
    return { url: vendor.url, vendor, settings: { clientId: oauth.clientId, clientSecret: options.rejectCredentials === true ? 'no' : oauth.clientSecret }, close: vendor.close }
  }
  const connector = defineConnector<{ clientId: string, clientSecret: string }>({
    async * sync (ctx) {
      for await (const devices of ctx.http.paginate<{ externalId: string, serial: string }>({ url: 'https://api.vendor.example/devices' },
        { type: 'cursor', param: 'cursor', items: body => body.devices, next: body => body.next })) {
        yield { type: 'upsert', model: 'device', records: devices }
        yield { type: 'checkpoint', value: { seen: devices.at(-1)?.externalId ?? '' } }
      }
    }
  })
  const manifest = {
    allowedHosts: ['api.vendor.example'],
    oauth2: { tokenUrl: 'https://api.vendor.example/token', clientId: '{{clientId}}', clientSecret: '{{clientSecret}}' },
    permissions: ['device:write'],
    syncs: [{ id: 'devices' }]
  }
  const settingsSchema = { type: 'object', required: ['clientId', 'clientSecret'], properties: { clientId: { type: 'string', minLength: 3 }, clientSecret: { type: 'string', writeOnly: true } } }
  const setup = connectorTest({ connector, manifest, settingsSchema, startFake })

  let closed: FakeVendor | undefined
  await t.test('a test using it', async t => {
    const { fake, sync, messages } = await setup(t, { size: 5 })
    closed = fake.vendor
    t.match(await sync(), { read: 5, created: 5, errors: [], checkpoints: [{ seen: 'd1' }, { seen: 'd3' }, { seen: 'd4' }] })
    t.same((await messages()).map(m => m.type), ['upsert', 'checkpoint', 'upsert', 'checkpoint', 'upsert', 'checkpoint'])
    t.equal(fake.vendor.requestsTo('token').length, 1, 'both runs share the context, and its token')
    t.equal(fake.vendor.requests[0].host, 'api.vendor.example', 'the connector called its vendor\'s host; the fake answered')
    await t.rejects(setup(t, {}, { settings: { clientId: 'x' } }), /clientId must NOT have fewer than 3 characters/, 'settings validated as the core does')
    const unchecked = await setup(t, {}, { settings: { clientId: 'x' }, validate: false })
    t.equal(unchecked.ctx.settings.clientId, 'x', 'unless the test says not to')
  })
  await t.rejects(fetch(`${closed?.url ?? ''}/devices`), 'the fake was closed when its test ended')
})
