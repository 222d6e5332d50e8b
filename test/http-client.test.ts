// ctx.http against a real local HTTP server playing the vendor (no mocks of the client).
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { Agent } from 'undici'
import { createHttpClient, OAuth2TokenError, PaginationLoopError, RequestTimeoutError } from '../core/integrations/http.ts'
import { nextFromLinkHeader } from '../core/integrations/http/paginate.ts'
import { backoffMs, parseRetryAfter } from '../core/integrations/http/retry.ts'
import { HostNotAllowedError, HttpStatusError, RetryLaterError } from '../core/integrations/http-types.ts'
import type { HttpClientOptions, OutboundCall } from '../core/integrations/http-types.ts'

interface Hit { method: string, url: string, path: string, query: URLSearchParams, headers: IncomingMessage['headers'], body: string }
type Handler = (hit: Hit, res: ServerResponse) => unknown

interface Vendor {
  base: string
  port: number
  hits: Hit[]
  /** The most requests the server had in progress at once. */
  maxInFlight: () => number
}

async function vendor (t: Test, handler: Handler): Promise<Vendor> {
  const hits: Hit[] = []
  let inFlight = 0
  let maxInFlight = 0
  const server = createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on('close', () => { inFlight-- })
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://vendor')
      const hit = { method: req.method ?? '', url: req.url ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString() }
      hits.push(hit)
      Promise.resolve(handler(hit, res)).catch((err: unknown) => { res.statusCode = 599; res.end(String(err)) })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  const port = (server.address() as AddressInfo).port
  return { base: `http://127.0.0.1:${port}`, port, hits, maxInFlight: () => maxInFlight }
}

function json (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

type ErrorClass = abstract new (...args: any[]) => Error
const RESOLVED = Symbol('resolved')

/** Awaits a rejection and returns the error; `wanted` is an error class (instanceof) or a t.match pattern. */
async function rejectsWith (t: Test, promise: Promise<unknown>, wanted: ErrorClass | object, message?: string): Promise<unknown> {
  const err = await promise.then(() => RESOLVED, (e: unknown) => e)
  if (err === RESOLVED) {
    t.fail(message ?? 'expected a rejection')
  } else if (typeof wanted === 'function') {
    t.ok(err instanceof wanted, message ?? `rejects with ${wanted.name}`, { found: err })
  } else {
    t.match(err, wanted, message ?? 'rejects as expected')
  }
  return err
}

/** Reads every page into `pages` (filled as they arrive, so a later failure leaves what came before). */
async function collect<T> (pages: AsyncIterable<T[]>, into: T[][] = []): Promise<T[][]> {
  for await (const page of pages) into.push(page)
  return into
}

const delay = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** A dispatcher that resolves every host name to 127.0.0.1, so vendor-like names reach the fake. */
function loopback (t: Test): Agent {
  const agent = new Agent({
    connect: {
      lookup: (_host, opts, cb) => {
        if ((opts as { all?: boolean }).all === true) (cb as (e: null, a: Array<{ address: string, family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }])
        else cb(null, '127.0.0.1', 4)
      }
    }
  })
  t.teardown(async () => { await agent.close() })
  return agent
}

function client (v: Vendor, options: Partial<HttpClientOptions> = {}, calls?: OutboundCall[]): ReturnType<typeof createHttpClient> {
  return createHttpClient({
    allowedHosts: ['127.0.0.1'],
    onCall: calls === undefined ? undefined : (call) => { calls.push(call) },
    ...options
  })
}

async function closedPort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  return port
}

t.test('allowedHosts', async t => {
  t.test('an undeclared host is refused before anything is sent', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 200, {}))
    const http = createHttpClient({ allowedHosts: ['api.vendor.test'] })
    await rejectsWith(t, http.request({ url: `${v.base}/x` }), HostNotAllowedError)
    await rejectsWith(t, http.request({ url: 'ftp://api.vendor.test/x' }), TypeError)
    const withToken = createHttpClient({
      allowedHosts: ['127.0.0.1'],
      oauth2: { tokenUrl: `http://login.elsewhere.test:${v.port}/token`, clientId: 'id', clientSecret: 'secret' }
    })
    await rejectsWith(t, withToken.request({ url: `${v.base}/x` }), HostNotAllowedError, 'the token endpoint is checked too')
    t.equal(v.hits.length, 0, 'the server saw no request')
  })

  t.test('exact hosts are case- and port-insensitive unless the pattern has a port; wildcards need a label', async t => {
    const v = await vendor(t, (hit, res) => json(res, 200, { host: hit.headers.host }))
    const dispatcher = loopback(t)
    const http = createHttpClient({ allowedHosts: ['Exact.Vendor.test', '*.vendor.test', `pinned.test:${v.port}`, 'other.test:1'], dispatcher })
    for (const host of ['exact.vendor.test', 'EXACT.vendor.TEST', 'api.vendor.test', 'a.b.vendor.test', 'pinned.test']) {
      const res = await http.request<{ host: string }>({ url: `http://${host}:${v.port}/ok` })
      t.equal(res.status, 200, `${host} allowed`)
    }
    for (const host of ['vendor.test', 'evilvendor.test', 'vendor.test.evil.test', 'other.test']) {
      await rejectsWith(t, http.request({ url: `http://${host}:${v.port}/no` }), HostNotAllowedError, `${host} refused`)
    }
    t.equal(v.hits.length, 5)
    t.throws(() => createHttpClient({ allowedHosts: ['*'] }), /invalid allowedHosts pattern/)
    t.throws(() => createHttpClient({ allowedHosts: ['api.*.test'] }), /invalid allowedHosts pattern/)
  })

  t.test('an absolute next link to an undeclared host is refused', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 200, { value: [1], next: 'http://evil.test/steal?token=x' }))
    const http = client(v)
    const pages: number[][] = []
    await rejectsWith(t, collect(http.paginate<number>({ url: `${v.base}/items` }, { type: 'link', items: b => b.value, next: b => b.next }), pages), HostNotAllowedError)
    t.same(pages, [[1]])
    t.equal(v.hits.length, 1)
  })
})

t.test('OAuth2 client credentials', async t => {
  function tokenVendor (t: Test, opts: { expiresIn?: number, rejectFirstToken?: boolean, alwaysReject?: boolean } = {}): Promise<Vendor & { issued: () => number }> {
    let issued = 0
    return vendor(t, (hit, res) => {
      if (hit.path === '/token') {
        issued++
        return json(res, 200, { token_type: 'Bearer', access_token: `tok-${issued}`, expires_in: opts.expiresIn ?? 3599 })
      }
      const auth = hit.headers.authorization
      if (opts.alwaysReject === true || (opts.rejectFirstToken === true && auth === 'Bearer tok-1')) return json(res, 401, { error: 'InvalidAuthenticationToken' })
      json(res, 200, { auth })
    }).then(v => ({ ...v, issued: () => issued }))
  }

  t.test('one token fetch for concurrent requests, then the cache; form body with client auth in the body', async t => {
    const v = await tokenVendor(t)
    const http = client(v, { oauth2: { tokenUrl: `${v.base}/token`, clientId: 'app-id', clientSecret: 'p@ss~word', scope: 'https://graph.microsoft.com/.default' } })
    const answers = await Promise.all(Array.from({ length: 5 }, async () => await http.request<{ auth: string }>({ url: `${v.base}/api` })))
    t.same(answers.map(a => a.body.auth), Array(5).fill('Bearer tok-1'))
    await http.request({ url: `${v.base}/api` })
    t.equal(v.issued(), 1)
    const tokenHit = v.hits.find(h => h.path === '/token')
    t.equal(tokenHit?.method, 'POST')
    t.equal(tokenHit?.headers['content-type'], 'application/x-www-form-urlencoded')
    t.same(Object.fromEntries(new URLSearchParams(tokenHit?.body)), {
      grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', client_id: 'app-id', client_secret: 'p@ss~word'
    })
    const unauthenticated = await http.request<{ auth?: string }>({ url: `${v.base}/api`, auth: 'none' })
    t.equal(unauthenticated.body.auth, undefined)
  })

  t.test('HTTP Basic client auth', async t => {
    const v = await tokenVendor(t)
    const http = client(v, { oauth2: { tokenUrl: `${v.base}/token`, clientId: 'app-id', clientSecret: 'sec:ret', clientAuth: 'basic' } })
    await http.request({ url: `${v.base}/api` })
    const tokenHit = v.hits.find(h => h.path === '/token')
    t.equal(tokenHit?.headers.authorization, `Basic ${Buffer.from('app-id:sec%3Aret').toString('base64')}`)
    t.same(Object.fromEntries(new URLSearchParams(tokenHit?.body)), { grant_type: 'client_credentials' })
  })

  t.test('refreshed before expires_in (60 s early; half the lifetime for short tokens)', async t => {
    const v = await tokenVendor(t, { expiresIn: 2 }) // cached for 1 s
    const http = client(v, { oauth2: { tokenUrl: `${v.base}/token`, clientId: 'id', clientSecret: 'secret' } })
    t.equal((await http.request<{ auth: string }>({ url: `${v.base}/api` })).body.auth, 'Bearer tok-1')
    t.equal((await http.request<{ auth: string }>({ url: `${v.base}/api` })).body.auth, 'Bearer tok-1')
    await delay(1100)
    t.equal((await http.request<{ auth: string }>({ url: `${v.base}/api` })).body.auth, 'Bearer tok-2')
    t.equal(v.issued(), 2)
  })

  t.test('a 401 drops the cached token and retries once with a new one', async t => {
    const v = await tokenVendor(t, { rejectFirstToken: true })
    const calls: OutboundCall[] = []
    const http = client(v, { oauth2: { tokenUrl: `${v.base}/token`, clientId: 'id', clientSecret: 'secret' } }, calls)
    const res = await http.request<{ auth: string }>({ url: `${v.base}/api` })
    t.equal(res.body.auth, 'Bearer tok-2')
    t.equal(v.issued(), 2)
    t.same(calls.filter(c => c.path === '/api').map(c => [c.attempt, c.status]), [[1, 401], [2, 200]])

    const stubborn = await tokenVendor(t, { alwaysReject: true })
    const http2 = client(stubborn, { oauth2: { tokenUrl: `${stubborn.base}/token`, clientId: 'id', clientSecret: 'secret' } })
    await rejectsWith(t, http2.request({ url: `${stubborn.base}/api` }), { status: 401 })
    t.equal(stubborn.issued(), 2, 'one refresh only')
    t.equal(stubborn.hits.filter(h => h.path === '/api').length, 2)
  })

  t.test("a token error carries the vendor's description, never the secret", async t => {
    const secret = 'Zx8~Q.very-secret-value'
    const v = await vendor(t, (_hit, res) => json(res, 401, {
      error: 'invalid_client',
      error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-id'. (got ${secret})\r\nTrace ID: 1`,
      error_codes: [7000215]
    }))
    const calls: OutboundCall[] = []
    const http = client(v, { oauth2: { tokenUrl: `${v.base}/tenant/oauth2/v2.0/token`, clientId: 'app-id', clientSecret: secret } }, calls)
    const err = await rejectsWith(t, http.request({ url: `${v.base}/api` }), OAuth2TokenError)
    t.ok(err instanceof HttpStatusError)
    const tokenErr = err as OAuth2TokenError
    t.equal(tokenErr.status, 401)
    t.equal(tokenErr.error, 'invalid_client')
    t.match(tokenErr.message, /invalid_client: AADSTS7000215: Invalid client secret provided/)
    const everything = JSON.stringify({ message: tokenErr.message, stack: tokenErr.stack, body: tokenErr.body, description: tokenErr.description, calls })
    t.notOk(everything.includes(secret), 'the secret is in neither the error nor the audit entries')
    t.ok(everything.includes('[redacted]'))
    t.equal(v.hits.length, 1, 'a 4xx from the token endpoint is not retried')
  })
})

t.test('retries', async t => {
  t.test('429 with Retry-After: 1 then 200 succeeds after at least a second', async t => {
    const v = await vendor(t, (hit, res) => {
      if (v.hits.length === 1) return json(res, 429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '1' })
      json(res, 200, { ok: true })
    })
    const started = performance.now()
    const res = await client(v).request({ url: `${v.base}/api` })
    t.same(res.body, { ok: true })
    t.ok(performance.now() - started >= 990, 'waited for Retry-After')
    t.equal(v.hits.length, 2)
  })

  t.test('a Retry-After longer than maxWaitMs throws RetryLaterError at once', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 429, {}, { 'retry-after': '3600' }))
    const started = Date.now()
    const err = await rejectsWith(t, client(v).request({ url: `${v.base}/api` }), RetryLaterError)
    const retryAt = (err as RetryLaterError).retryAt.getTime()
    t.ok(Math.abs(retryAt - (started + 3_600_000)) < 2000, 'retryAt is an hour away')
    t.ok(Date.now() - started < 500, 'did not sleep')
    t.equal(v.hits.length, 1)

    const dated = await vendor(t, (_hit, res) => json(res, 503, {}, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }))
    const err2 = await rejectsWith(t, client(dated).request({ url: `${dated.base}/api` }), RetryLaterError, 'an HTTP-date Retry-After counts too')
    t.ok(Math.abs((err2 as RetryLaterError).retryAt.getTime() - (Date.now() + 120_000)) < 3000)
  })

  t.test('503 twice then 200', async t => {
    const v = await vendor(t, (_hit, res) => v.hits.length <= 2 ? json(res, 503, { busy: true }) : json(res, 200, { ok: true }))
    const calls: OutboundCall[] = []
    const res = await client(v, {}, calls).request({ url: `${v.base}/api` })
    t.equal(res.status, 200)
    t.same(calls.map(c => [c.attempt, c.status]), [[1, 503], [2, 503], [3, 200]])
  })

  t.test('5xx after the retries are used up throws HttpStatusError with the parsed body', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 502, { error: 'bad gateway' }))
    const err = await rejectsWith(t, client(v, { maxRetries: 1 }).request({ url: `${v.base}/api?x=1` }), HttpStatusError)
    t.match(err, { status: 502, body: { error: 'bad gateway' }, url: `${v.base}/api?x=1` })
    t.equal(v.hits.length, 2)
  })

  t.test('400 is not retried', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 400, { error: 'invalid filter' }))
    await rejectsWith(t, client(v).request({ url: `${v.base}/api` }), { status: 400, body: { error: 'invalid filter' } })
    t.equal(v.hits.length, 1)
  })

  t.test('Retry-After forms and the backoff curve', async t => {
    t.equal(parseRetryAfter('2.128'), 2128, "Graph's fractional seconds")
    t.equal(parseRetryAfter('0'), 0)
    t.equal(parseRetryAfter(new Date(61_000).toUTCString(), 1_000), 60_000, 'HTTP date')
    t.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), 0, 'a date in the past means now')
    t.equal(parseRetryAfter('soon'), null)
    t.equal(parseRetryAfter(undefined), null)
    for (let i = 0; i < 20; i++) {
      const first = backoffMs(0, 30_000)
      t.ok(first >= 125 && first <= 250, `first backoff ${first} ms`)
      t.ok(backoffMs(10, 30_000) <= 30_000, 'capped at maxWaitMs')
    }
  })

  t.test('network errors are retried, then thrown', async t => {
    const port = await closedPort()
    const calls: OutboundCall[] = []
    const http = createHttpClient({ allowedHosts: ['127.0.0.1'], maxRetries: 2, onCall: c => { calls.push(c) } })
    await rejectsWith(t, http.request({ url: `http://127.0.0.1:${port}/api` }), { code: 'ECONNREFUSED' })
    t.same(calls.map(c => [c.attempt, c.status]), [[1, null], [2, null], [3, null]])
    t.match(calls[0].error, /ECONNREFUSED/)
  })
})

t.test('timeouts and aborts', async t => {
  t.test('an attempt that outlives timeoutMs fails; a timeout is retried', async t => {
    const v = await vendor(t, (hit, res) => {
      if (hit.path === '/slow-body') { res.writeHead(200, { 'content-type': 'application/json' }); res.write('['); return }
      if (hit.path === '/slow' || v.hits.length === 1) return // never answers
      json(res, 200, { ok: true })
    })
    const calls: OutboundCall[] = []
    const http = client(v, { timeoutMs: 150, maxRetries: 0 }, calls)
    const started = performance.now()
    await rejectsWith(t, http.request({ url: `${v.base}/slow` }), RequestTimeoutError)
    await rejectsWith(t, http.request({ url: `${v.base}/slow-body` }), RequestTimeoutError, 'the body counts too')
    t.ok(performance.now() - started < 1000)
    t.match(calls[0], { status: null, error: 'timed out after 150 ms' })

    const retrying = client(v, { maxRetries: 2 })
    const res = await retrying.request({ url: `${v.base}/flaky`, timeoutMs: 150 })
    t.equal(res.status, 200, 'the second attempt succeeded')
  })

  t.test('an abort from options.signal stops at once, without retries', async t => {
    const v = await vendor(t, (hit, res) => {
      if (hit.path === '/hang') return
      json(res, 429, {}, { 'retry-after': '20' })
    })
    const controller = new AbortController()
    const http = client(v, { signal: controller.signal })
    const started = performance.now()
    setTimeout(() => controller.abort(new Error('run cancelled')), 100)
    await rejectsWith(t, http.request({ url: `${v.base}/hang` }), { message: 'run cancelled' })
    t.ok(performance.now() - started < 1000)
    t.equal(v.hits.length, 1)
    await rejectsWith(t, http.request({ url: `${v.base}/hang` }), { message: 'run cancelled' }, 'an aborted client sends nothing')
    t.equal(v.hits.length, 1)

    const sleeping = new AbortController()
    const http2 = client(v, { signal: sleeping.signal })
    setTimeout(() => sleeping.abort(new Error('stop waiting')), 100)
    const started2 = performance.now()
    await rejectsWith(t, http2.request({ url: `${v.base}/throttled` }), { message: 'stop waiting' }, 'the Retry-After sleep ends on abort')
    t.ok(performance.now() - started2 < 1000)
  })
})

t.test('rate limits', async t => {
  t.test('concurrency caps the requests in flight', async t => {
    const v = await vendor(t, async (_hit, res) => { await delay(80); json(res, 200, {}) })
    const http = client(v, { rateLimit: { concurrency: 2 } })
    await Promise.all(Array.from({ length: 6 }, async (_, i) => await http.request({ url: `${v.base}/r${i}` })))
    t.equal(v.hits.length, 6)
    t.equal(v.maxInFlight(), 2)
  })

  t.test('requestsPerMinute: 120/min lets a burst of 2 through, the 3rd waits ~0.5 s', async t => {
    const arrivals: number[] = []
    const v = await vendor(t, (_hit, res) => { arrivals.push(performance.now()); json(res, 200, {}) })
    const http = client(v, { rateLimit: { requestsPerMinute: 120 } })
    const started = performance.now()
    await Promise.all([0, 1, 2].map(async i => await http.request({ url: `${v.base}/r${i}` })))
    const offsets = arrivals.map(a => a - started).sort((a, b) => a - b)
    t.ok(offsets[1] < 250, `2nd immediate (${Math.round(offsets[1])} ms)`)
    t.ok(offsets[2] >= 450 && offsets[2] < 900, `3rd waited ~0.5 s (${Math.round(offsets[2])} ms)`)
  })

  t.test('a request waiting for its rate token gives up when the signal aborts', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 200, {}))
    const controller = new AbortController()
    const http = client(v, { rateLimit: { requestsPerMinute: 6 }, signal: controller.signal }) // one per 10 s
    await http.request({ url: `${v.base}/first` })
    setTimeout(() => controller.abort(new Error('cancelled')), 100)
    const started = performance.now()
    await rejectsWith(t, http.request({ url: `${v.base}/second` }), { message: 'cancelled' })
    t.ok(performance.now() - started < 1000)
    t.equal(v.hits.length, 1)
  })
})

t.test('bodies, responses, expect and onCall', async t => {
  const v = await vendor(t, (hit, res) => {
    if (hit.path === '/echo') return json(res, 200, { type: hit.headers['content-type'], body: hit.body, method: hit.method, query: hit.url.split('?')[1] ?? '' })
    if (hit.path === '/scim') { res.writeHead(200, { 'content-type': 'application/scim+json' }); return res.end('{"Resources":[]}') }
    if (hit.path === '/text') { res.writeHead(200, { 'content-type': 'text/plain' }); return res.end('1') }
    if (hit.path === '/empty') { res.writeHead(204); return res.end() }
    json(res, 404, { error: 'not found' })
  })
  const calls: OutboundCall[] = []
  const http = client(v, { onCall: async c => { calls.push(c); throw new Error('audit down') } })

  const sent = await http.request<Record<string, string>>({ method: 'POST', url: `${v.base}/echo?keep=1`, query: { serial: 'C02 XYZ', skip: undefined, top: 5 }, json: { a: 1 } })
  t.same(sent.body, { type: 'application/json', body: '{"a":1}', method: 'POST', query: 'keep=1&serial=C02%20XYZ&top=5' })
  const kept = await http.request<Record<string, string>>({ url: `${v.base}/echo?$filter=serialNumber%20eq%20'X'&$top=1&section=GENERAL&section=HARDWARE`, query: { $top: 2, tags: 'A,B' } })
  t.equal(kept.body.query, '$filter=serialNumber%20eq%20%27X%27&section=GENERAL&section=HARDWARE&$top=2&tags=A,B', 'the rest of the query is left as written')
  const form = await http.request<Record<string, string>>({ method: 'POST', url: `${v.base}/echo`, form: { Serial: 'A,B' } })
  t.same(form.body, { type: 'application/x-www-form-urlencoded', body: 'Serial=A%2CB', method: 'POST', query: '' })
  t.same((await http.request({ url: `${v.base}/scim` })).body, { Resources: [] }, 'application/*+json is parsed')
  t.equal((await http.request({ url: `${v.base}/text` })).body, '1', 'text stays text')
  t.equal((await http.request({ url: `${v.base}/empty` })).status, 204)
  const missing = await http.request({ url: `${v.base}/missing`, expect: [200, 404] })
  t.same([missing.status, missing.body], [404, { error: 'not found' }], 'an expected status is an answer')
  await rejectsWith(t, http.request({ url: `${v.base}/missing` }), HttpStatusError)
  await rejectsWith(t, http.request({ url: `${v.base}/echo`, auth: 'oauth2' }), { message: /no oauth2 settings/ })

  t.ok(calls.length >= 7, 'onCall saw every attempt and its failure broke nothing')
  t.match(calls[0], { method: 'POST', host: `127.0.0.1:${v.port}`, path: '/echo', status: 200, attempt: 1 })
  t.ok(calls.every(c => !c.path.includes('?') && typeof c.durationMs === 'number'))
  t.notOk(JSON.stringify(calls).includes('XYZ'), 'no query values')
})

t.test('paginate', async t => {
  const all = Array.from({ length: 7 }, (_, i) => i + 1)

  t.test('cursor', async t => {
    const v = await vendor(t, (hit, res) => {
      const at = Number(hit.query.get('cursor') ?? 0)
      json(res, 200, { results: all.slice(at, at + 3), next_cursor: at + 3 < all.length ? String(at + 3) : null })
    })
    const pages = await collect(client(v).paginate<number>({ url: `${v.base}/users`, query: { page_size: 3 } }, { type: 'cursor', param: 'cursor', items: b => b.results, next: b => b.next_cursor }))
    t.same(pages, [[1, 2, 3], [4, 5, 6], [7]])
    t.same(v.hits.map(h => h.url), ['/users?page_size=3', '/users?page_size=3&cursor=3', '/users?page_size=3&cursor=6'])
  })

  t.test('a repeated cursor is an error, not an endless loop', async t => {
    const v = await vendor(t, (hit, res) => json(res, 200, { results: [1], next: hit.query.get('c') === null ? 'a' : 'b' }))
    const pages: number[][] = []
    await rejectsWith(t, collect(client(v).paginate<number>({ url: `${v.base}/x` }, { type: 'cursor', param: 'c', items: b => b.results, next: b => b.next }), pages), PaginationLoopError)
    t.equal(pages.length, 3)
    t.equal(v.hits.length, 3)
  })

  t.test('link from the body (@odata.nextLink, absolute) and a repeated link', async t => {
    const v = await vendor(t, (hit, res) => {
      const skip = Number(hit.query.get('$skiptoken') ?? 0)
      const body: Record<string, unknown> = { value: all.slice(skip, skip + 4) }
      if (hit.path === '/loop') body['@odata.nextLink'] = `${v.base}/loop?$skiptoken=4`
      else if (skip + 4 < all.length) body['@odata.nextLink'] = `${v.base}/v1.0/users?$top=4&$skiptoken=${skip + 4}`
      json(res, 200, body)
    })
    const http = client(v)
    const scheme = { type: 'link' as const, items: (b: any) => b.value as number[], next: (b: any) => b['@odata.nextLink'] as string | undefined }
    const pages = await collect(http.paginate<number>({ url: `${v.base}/v1.0/users`, query: { $top: 4 } }, scheme))
    t.same(pages, [[1, 2, 3, 4], [5, 6, 7]])
    t.same(v.hits.map(h => decodeURIComponent(h.url)), ['/v1.0/users?$top=4', '/v1.0/users?$top=4&$skiptoken=4'])
    await rejectsWith(t, collect(http.paginate({ url: `${v.base}/loop` }, scheme)), PaginationLoopError)
  })

  t.test('Link header parsing', async t => {
    t.equal(nextFromLinkHeader('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"'), 'https://api.github.com/x?page=2')
    t.equal(nextFromLinkHeader('</x?page=1>; rel="prev", </x?page=3>; title="n, m"; rel=next'), '/x?page=3')
    t.equal(nextFromLinkHeader('</a>; rel="last"'), null)
    t.equal(nextFromLinkHeader(undefined), null)
  })

  t.test('link from the Link header, relative', async t => {
    const v = await vendor(t, (hit, res) => {
      const page = Number(hit.query.get('page') ?? 1)
      const links = [`</seats?page=${page + 1}&per_page=3>; rel="next"`, '</seats?page=3&per_page=3>; rel="last"']
      res.writeHead(200, { 'content-type': 'application/json', ...(page < 3 ? { link: links.join(', ') } : {}) })
      res.end(JSON.stringify({ seats: all.slice((page - 1) * 3, page * 3) }))
    })
    const pages = await collect(client(v).paginate<number>({ url: `${v.base}/seats`, query: { per_page: 3 } }, { type: 'link', items: b => b.seats }))
    t.same(pages, [[1, 2, 3], [4, 5, 6], [7]])
  })

  t.test('offset: numbered pages with a size parameter, and offsets', async t => {
    const v = await vendor(t, (hit, res) => {
      if (hit.path === '/computers') {
        const size = Number(hit.query.get('page-size'))
        const page = Number(hit.query.get('page'))
        return json(res, 200, { totalCount: all.length, results: all.slice(page * size, (page + 1) * size) })
      }
      if (hit.path === '/people') {
        const offset = Number(hit.query.get('offset'))
        return json(res, 200, { data: all.slice(offset, offset + 2) })
      }
      if (hit.path === '/monday') {
        const page = Number(hit.query.get('page'))
        const limit = Number(hit.query.get('limit'))
        return json(res, 200, { data: all.slice((page - 1) * limit, page * limit) })
      }
      json(res, 200, { data: [1, 2] }) // ignores its page parameter
    })
    const http = client(v)
    const jamf = await collect(http.paginate<number>({ url: `${v.base}/computers` }, { type: 'offset', mode: 'page', param: 'page', sizeParam: 'page-size', pageSize: 3, items: b => b.results }))
    t.same(jamf, [[1, 2, 3], [4, 5, 6], [7]])
    t.same(v.hits.map(h => h.url), ['/computers?page=0&page-size=3', '/computers?page=1&page-size=3', '/computers?page=2&page-size=3'])

    const people = await collect(http.paginate<number>({ url: `${v.base}/people` }, { type: 'offset', mode: 'offset', param: 'offset', pageSize: 2, items: b => b.data }))
    t.same(people, [[1, 2], [3, 4], [5, 6], [7]])

    const before = v.hits.length
    const monday = await collect(http.paginate<number>({ url: `${v.base}/monday` }, { type: 'offset', mode: 'page', param: 'page', start: 1, sizeParam: 'limit', pageSize: 7, items: b => b.data }))
    t.same(monday, [all, []], 'a full last page is followed by one empty page')
    t.same(v.hits.slice(before).map(h => h.query.get('page')), ['1', '2'], 'page numbers start where told')

    await rejectsWith(t, collect(http.paginate<number>({ url: `${v.base}/stuck` }, { type: 'offset', mode: 'page', param: 'p', pageSize: 2, items: b => b.data })), PaginationLoopError, 'a vendor ignoring the page parameter')
  })
})
