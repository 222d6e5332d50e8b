// ctx.http against a real local HTTP server playing the vendor: rate limits, bodies, onCall, paging.
import t from 'tap'
import { PaginationLoopError } from '../core/integrations/http.ts'
import { nextFromLinkHeader } from '../core/integrations/http/paginate.ts'
import { HttpStatusError } from '../core/integrations/http-types.ts'
import type { OutboundCall } from '../core/integrations/http-types.ts'
import { client, collect, delay, json, rejectsWith, vendor } from './helpers/vendor-server.ts'

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

  t.equal(calls.length, 8, 'onCall saw each of the 8 calls sent (not the one refused before sending), and its failure broke nothing')
  t.match(calls[0], { method: 'POST', host: `127.0.0.1:${v.port}`, path: '/echo', status: 200, attempts: 1, statuses: [200] })
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
