// ctx.http against a real local HTTP server playing the vendor: hosts, OAuth2, retries, timeouts.
import t, { type Test } from 'tap'
import { createHttpClient, OAuth2TokenError, RequestTimeoutError } from '../core/integrations/http.ts'
import { backoffMs, parseRetryAfter } from '../core/integrations/http/retry.ts'
import { HostNotAllowedError, HttpStatusError, RetryLaterError } from '../core/integrations/http-types.ts'
import type { OutboundCall } from '../core/integrations/http-types.ts'
import { type Vendor, client, closedPort, collect, delay, json, loopback, rejectsWith, vendor } from './helpers/vendor-server.ts'

t.test('allowedHosts', async t => {
  t.test('an undeclared host is refused before anything is sent', async t => {
    const v = await vendor(t, (_hit, res) => json(res, 200, {}))
    const http = createHttpClient({ allowedHosts: ['api.vendor.test'] })
    await rejectsWith(t, http.request({ url: `${v.base}/x` }), HostNotAllowedError)
    await rejectsWith(t, http.request({ url: 'ftp://api.vendor.test/x' }), TypeError)
    const withToken = createHttpClient({
      allowedHosts: ['127.0.0.1'],
      allowPrivateHosts: ['127.0.0.1'],
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
    t.throws(() => createHttpClient({ allowedHosts: ['*.'] }), /invalid allowedHosts pattern/)
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
    t.same(calls.filter(c => c.path === '/api').map(c => [c.attempts, c.statuses, c.status]), [[2, [401, 200], 200]], 'one entry: the stale token and the fresh one')

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
    t.same(calls.map(c => [c.attempts, c.statuses, c.status]), [[3, [503, 503, 200], 200]], 'one entry per call, with its attempts')
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
    const http = createHttpClient({ allowedHosts: ['127.0.0.1'], allowPrivateHosts: ['127.0.0.1'], maxRetries: 2, onCall: c => { calls.push(c) } })
    await rejectsWith(t, http.request({ url: `http://127.0.0.1:${port}/api` }), { code: 'ECONNREFUSED' })
    t.same(calls.map(c => [c.attempts, c.statuses, c.status]), [[3, [null, null, null], null]], 'one entry, three attempts, no answer')
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
