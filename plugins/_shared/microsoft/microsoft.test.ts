// The Microsoft plugins' shared parts against a local Entra and Graph over real HTTP (ctx.http from
// the SDK's test context): the AADSTS words, Graph's refusals and paging, the national clouds.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { ConnectorError, createTestContext, HttpStatusError, routeToFake, vendorFailures } from '../../../core/sdk.ts'
import { DEFAULT_GRAPH_HOST, DEFAULT_LOGIN_HOST, GRAPH_HOSTS, graphRoot, LOGIN_HOSTS, MICROSOFT_CLOUDS } from './clouds.ts'
import { aadstsCode, entraTokenFailures } from './entra.ts'
import { graphError, graphPaging, graphTokenRejected } from './graph.ts'

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const SECRET = 'Zq8~client.secret-value'
const PERMISSION = 'User.Read.All'
const manifest = {
  allowedHosts: ['login.microsoftonline.com', 'graph.microsoft.com'],
  oauth2: { tokenUrl: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, clientId: '{{clientId}}', clientSecret: '{{clientSecret}}', scope: 'https://graph.microsoft.com/.default' }
}
const settingsSchema = { type: 'object', properties: { clientId: { type: 'string' }, clientSecret: { type: 'string', writeOnly: true } } }

const failures = vendorFailures({ token: entraTokenFailures(PERMISSION), request: { read: graphError, statuses: { 401: graphTokenRejected() } } })

type Answer = (req: IncomingMessage, res: ServerResponse, url: URL) => void

function send (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

/** Entra's token endpoint answering `token`, and Graph answering `graph`; every request's URL is kept. */
async function microsoft (t: Test, graph: Answer, token: Answer = (_req, res) => send(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ0.token' })) {
  const seen: string[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host}`)
    seen.push(url.href)
    req.resume().on('end', () => { (url.pathname.endsWith('/oauth2/v2.0/token') ? token : graph)(req, res, url) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const dispatcher = routeToFake(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  t.teardown(async () => { await dispatcher.close(); server.closeAllConnections(); await new Promise(resolve => server.close(resolve)) })
  const ctx = createTestContext({ manifest, settingsSchema, settings: { clientId: 'c0ffee00-0000-4000-8000-000000000000', clientSecret: SECRET }, dispatcher, http: { maxRetries: 1, maxWaitMs: 1000 } })
  return { ctx, seen }
}

/** Entra's error body for an AADSTS code, as the token endpoint sends it. */
const entra = (code: number, error = 'invalid_client') =>
  ({ error, error_description: `AADSTS${code}: Something about it.\r\nTrace ID: 0e4f Correlation ID: 9a1b Timestamp: 2026-12-07 18:00:00Z`, error_codes: [code], trace_id: '0e4f' })

async function signInFailure (t: Test, status: number, body: unknown): Promise<unknown> {
  const { ctx } = await microsoft(t, (_req, res) => send(res, 200, { value: [] }), (_req, res) => send(res, status, body))
  return await ctx.http.request({ url: `${graphRoot()}/users` }).then(() => null, err => failures.explain(ctx, err))
}

t.test('Entra\'s AADSTS codes each become their own words and reason, read from error_codes or the description', async t => {
  const cases: Array<[number, string, RegExp]> = [
    [7000215, 'auth', /refused the client secret \(AADSTS7000215\).*not its Secret ID/],
    [7000222, 'auth', /has expired \(AADSTS7000222\)/],
    [700016, 'auth', /no application with this Application \(client\) ID.*\(AADSTS700016\)/],
    [90002, 'config', /does not know this tenant \(AADSTS90002\)/],
    [65001, 'permission', /\(AADSTS65001\).*application permission User\.Read\.All and select Grant admin consent/],
    [70011, 'config', /refused the requested scope \(AADSTS70011\)/]
  ]
  for (const [code, reason, words] of cases) {
    t.match(await signInFailure(t, 400, entra(code)), { name: 'ConnectorError', reason, message: words }, `AADSTS${code}`)
  }
  const described = { error: 'invalid_request', error_description: 'AADSTS90002: Tenant \'contoso\' not found.' }
  t.equal(aadstsCode(described), 90002, 'the code in the description when error_codes is missing')
  t.match(await signInFailure(t, 400, described), { reason: 'config', message: /AADSTS90002/ })
})

t.test('an AADSTS code without words of its own keeps Entra\'s error and the first line of its description', async t => {
  t.same(await signInFailure(t, 401, entra(50034, 'invalid_grant')), new ConnectorError('auth',
    'Microsoft Entra refused the token request (HTTP 401, invalid_grant: AADSTS50034: Something about it.). Check the tenant ID, client ID and client secret.'))
  t.same(await signInFailure(t, 200, { token_type: 'Bearer' }), new ConnectorError('network', 'Microsoft Entra answered the token request without an access token.'))
  const echoed = await signInFailure(t, 401, { error: 'invalid_client', error_description: `The secret ${SECRET} is not valid.` })
  t.notOk((echoed as Error).message.includes(SECRET), 'a secret Entra echoed is redacted')
  const down = await signInFailure(t, 503, { error: 'temporarily_unavailable' })
  t.ok(down instanceof HttpStatusError && !(down instanceof ConnectorError), '503: Entra unavailable, left for the core to name and retry')
})

t.test('Graph\'s 401 after the fresh token names Graph\'s code and message', async t => {
  const { ctx } = await microsoft(t, (_req, res) => send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.\nrequest-id: 1' } }))
  const err = await ctx.http.request({ url: `${graphRoot()}/users` }).then(() => null, e => failures.explain(ctx, e))
  t.same(err, new ConnectorError('auth', 'Microsoft Graph rejected the app\'s access token (InvalidAuthenticationToken: Access token validation failure. Invalid audience.). Check that the app registration belongs to this tenant and cloud.'))
})

t.test('Graph paging follows @odata.nextLink, which carries the whole query, until a page has none', async t => {
  const { ctx, seen } = await microsoft(t, (_req, res, url) => {
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0)
    const next = skip < 4 ? `${graphRoot()}/users?$select=id&$top=2&$skiptoken=${skip + 2}` : undefined
    send(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(id)', value: [{ id: `u${skip}` }, { id: `u${skip + 1}` }], ...(next === undefined ? {} : { '@odata.nextLink': next }) })
  })
  const pages: unknown[][] = []
  for await (const page of ctx.http.paginate({ url: `${graphRoot()}/users`, query: { $select: 'id', $top: 2 } }, graphPaging<{ id: string }>())) pages.push(page)
  t.same(pages, [[{ id: 'u0' }, { id: 'u1' }], [{ id: 'u2' }, { id: 'u3' }], [{ id: 'u4' }, { id: 'u5' }]])
  t.same(seen.filter(u => u.includes('/users')).map(u => new URL(u).search), ['?$select=id&$top=2', '?$select=id&$top=2&$skiptoken=2', '?$select=id&$top=2&$skiptoken=4'])
})

t.test('the national clouds: a sign-in and a Graph host each, global first', async t => {
  t.same([DEFAULT_LOGIN_HOST, DEFAULT_GRAPH_HOST], ['login.microsoftonline.com', 'graph.microsoft.com'])
  t.same(LOGIN_HOSTS, ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn'], 'the two US Government clouds share a sign-in host')
  t.same(GRAPH_HOSTS, ['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'])
  t.equal(MICROSOFT_CLOUDS.length, 4)
  t.equal(graphRoot('graph.microsoft.us'), 'https://graph.microsoft.us/v1.0')
})
