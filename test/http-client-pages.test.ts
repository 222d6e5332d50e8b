// ctx.http.pages against a real local HTTP server: every scheme with its resume tokens, resumeFrom
// mid-way, the awkward edges (empty last page, total reached exactly, capped page sizes, Link
// headers with several rels, repeated cursors), GraphQL connections and repeated query names.
import t from 'tap'
import { GraphQLError, PaginationLoopError } from '../core/integrations/http.ts'
import type { HttpClient, HttpRequest, Page, PageOptions, PaginationScheme } from '../core/integrations/http-types.ts'
import { client, json, rejectsWith, vendor } from './helpers/vendor-server.ts'

const all = Array.from({ length: 7 }, (_, i) => i + 1)

async function read<T> (http: HttpClient, req: HttpRequest, scheme: PaginationScheme<T>, options?: PageOptions, into: Array<Page<T>> = []): Promise<Array<Page<T>>> {
  for await (const page of http.pages(req, scheme, options)) into.push(page)
  return into
}

t.test('cursor: a token after each page but the last, resumeFrom mid-way, an empty last page', async t => {
  const v = await vendor(t, (hit, res) => {
    const at = Number(hit.query.get('cursor') ?? 0)
    // seven items in threes, then an empty page that says it is the last (as Slack's APIs do)
    json(res, 200, { results: all.slice(at, at + 3), next: at < all.length ? String(at + 3) : '' })
  })
  const scheme: PaginationScheme<number> = { type: 'cursor', param: 'cursor', items: b => b.results, next: b => b.next }
  const http = client(v)
  const pages = await read(http, { url: `${v.base}/users`, query: { limit: 3 } }, scheme)
  t.same(pages, [
    { items: [1, 2, 3], resume: { cursor: '3' } },
    { items: [4, 5, 6], resume: { cursor: '6' } },
    { items: [7], resume: { cursor: '9' } },
    { items: [], resume: null }
  ], 'the empty last page is handed out, with no token')

  v.hits.length = 0
  const resumed = await read(http, { url: `${v.base}/users`, query: { limit: 3 } }, scheme, { resumeFrom: pages[1].resume })
  t.same(resumed.map(p => p.items), [[7], []], 'from the page after the token')
  t.same(v.hits.map(h => h.url), ['/users?limit=3&cursor=6', '/users?limit=3&cursor=9'])

  v.hits.length = 0
  const fromCheckpoint = await read(http, { url: `${v.base}/users` }, scheme, { resumeFrom: { collection: 'users', cursor: '3' } })
  t.same(fromCheckpoint.map(p => p.items), [[4, 5, 6], [7], []], 'a checkpoint holding the token\'s fields resumes as well')
  v.hits.length = 0
  const stale = await read(http, { url: `${v.base}/users` }, scheme, { resumeFrom: { link: 'https://elsewhere/x', at: 'one' } })
  t.equal(stale.length, 4, 'a token of another scheme starts at the first page')
  t.equal(v.hits[0].url, '/users')
})

t.test('cursor: a repeated cursor is a PaginationLoopError, and the page pointing into the loop is not handed out', async t => {
  const v = await vendor(t, (hit, res) => json(res, 200, { results: [hit.query.get('c') ?? 'first'], next: hit.query.get('c') === null ? 'a' : 'b' }))
  const scheme: PaginationScheme<string> = { type: 'cursor', param: 'c', items: b => b.results, next: b => b.next }
  const pages: Array<Page<string>> = []
  await rejectsWith(t, read(client(v), { url: `${v.base}/x` }, scheme, {}, pages), PaginationLoopError)
  t.same(pages, [{ items: ['first'], resume: { cursor: 'a' } }, { items: ['a'], resume: { cursor: 'b' } }], 'no token ever names a page of the loop')

  const resumedInto: Array<Page<string>> = []
  await rejectsWith(t, read(client(v), { url: `${v.base}/x` }, scheme, { resumeFrom: { cursor: 'b' } }, resumedInto), PaginationLoopError, 'a resumed cursor counts as seen')
  t.same(resumedInto, [])
})

t.test('link: from the body, resumeFrom a saved link, and a saved link to another host is never followed', async t => {
  const other = await vendor(t, (_hit, res) => json(res, 200, { value: ['elsewhere'] }))
  const v = await vendor(t, (hit, res) => {
    const skip = Number(hit.query.get('$skiptoken') ?? 0)
    const body: Record<string, unknown> = { value: all.slice(skip, skip + 3) }
    if (skip + 3 < all.length) body['@odata.nextLink'] = `${v.base}/v1.0/users?$top=3&$skiptoken=${skip + 3}`
    json(res, 200, body)
  })
  const http = client(v, { allowedHosts: ['127.0.0.1'] })
  const scheme: PaginationScheme<number> = { type: 'link', items: b => b.value, next: b => b['@odata.nextLink'] }
  const pages = await read(http, { url: `${v.base}/v1.0/users`, query: { $top: 3 } }, scheme)
  t.same(pages.map(p => p.resume), [{ link: `${v.base}/v1.0/users?$top=3&$skiptoken=3` }, { link: `${v.base}/v1.0/users?$top=3&$skiptoken=6` }, null])

  v.hits.length = 0
  const resumed = await read(http, { url: `${v.base}/v1.0/users`, query: { $top: 3 } }, scheme, { resumeFrom: pages[0].resume })
  t.same(resumed.map(p => p.items), [[4, 5, 6], [7]])
  t.same(v.hits.map(h => h.url), ['/v1.0/users?$top=3&$skiptoken=3', '/v1.0/users?$top=3&$skiptoken=6'], 'the saved link as it was, no query added')

  v.hits.length = 0
  const forged = await read(http, { url: `${v.base}/v1.0/users`, query: { $top: 3 } }, scheme, { resumeFrom: { link: `${other.base}/steal?x=1` } })
  t.same(forged.map(p => p.items), [[1, 2, 3], [4, 5, 6], [7]], 'a link to another host starts at the first page')
  t.equal(other.hits.length, 0, 'and nothing was sent there')
})

t.test('link: the Link header with several rels and several links, relative targets', async t => {
  const v = await vendor(t, (hit, res) => {
    const page = Number(hit.query.get('page') ?? 1)
    const links = [
      '</seats?page=1&per_page=3>; rel="first"',
      ...(page > 1 ? [`</seats?page=${page - 1}&per_page=3>; rel="prev"`] : []),
      // one link with two rels, the next one spelled in another case
      ...(page < 3 ? [`</seats?page=${page + 1}&per_page=3>; title="more, please"; rel="Next nofollow"`] : []),
      '</seats?page=3&per_page=3>; rel="last"'
    ]
    res.writeHead(200, { 'content-type': 'application/json', link: links.join(', ') })
    res.end(JSON.stringify({ seats: all.slice((page - 1) * 3, page * 3) }))
  })
  const scheme: PaginationScheme<number> = { type: 'link', items: b => b.seats }
  const pages = await read(client(v), { url: `${v.base}/seats`, query: { per_page: 3 } }, scheme)
  t.same(pages.map(p => p.items), [[1, 2, 3], [4, 5, 6], [7]])
  t.same(pages.map(p => p.resume), [{ link: `${v.base}/seats?page=2&per_page=3` }, { link: `${v.base}/seats?page=3&per_page=3` }, null], 'the rel="next" target, made absolute')
})

t.test('offset/page with a total: ends when the total is reached exactly, follows a capped size, resumes mid-way', async t => {
  const v = await vendor(t, (hit, res) => {
    const cap = Number(hit.query.get('cap') ?? Infinity)
    const size = Math.min(Number(hit.query.get('page-size')), cap)
    const page = Number(hit.query.get('page'))
    const total = Number(hit.query.get('total') ?? all.length)
    json(res, 200, { totalCount: total, results: all.slice(0, total).slice(page * size, (page + 1) * size) })
  })
  const http = client(v)
  const scheme: PaginationScheme<number> = { type: 'offset', mode: 'page', param: 'page', sizeParam: 'page-size', pageSize: 3, items: b => b.results, total: b => b.totalCount }

  const exact = await read(http, { url: `${v.base}/computers`, query: { total: 6 } }, scheme)
  t.same(exact, [{ items: [1, 2, 3], resume: { at: 1, size: 3 } }, { items: [4, 5, 6], resume: null }])
  t.equal(v.hits.length, 2, 'no empty page asked for once the total is reached')

  v.hits.length = 0
  const capped = await read(http, { url: `${v.base}/computers`, query: { cap: 2 } }, scheme)
  t.same(capped.map(p => p.items), [[1, 2], [3, 4], [5, 6], [7]], 'nothing skipped or repeated')
  t.same(v.hits.map(h => [h.query.get('page'), h.query.get('page-size')]), [['0', '3'], ['1', '2'], ['2', '2'], ['3', '2']])
  t.same(capped[0].resume, { at: 1, size: 2 }, 'the token keeps the size the server serves')

  v.hits.length = 0
  const resumed = await read(http, { url: `${v.base}/computers`, query: { cap: 2 } }, scheme, { resumeFrom: capped[1].resume })
  t.same(resumed.map(p => p.items), [[5, 6], [7]])
  t.same(v.hits.map(h => [h.query.get('page'), h.query.get('page-size')]), [['2', '2'], ['3', '2']])

  v.hits.length = 0
  t.same((await read(http, { url: `${v.base}/computers`, query: { total: 0 } }, scheme)), [{ items: [], resume: null }], 'an empty list is one empty page')
})

t.test('offset/offset with a total, and without one (a short page ends it)', async t => {
  const v = await vendor(t, (hit, res) => {
    const offset = Number(hit.query.get('offset'))
    json(res, 200, { data: all.slice(offset, offset + 2), meta: { total: all.length } })
  })
  const http = client(v)
  const counted = await read(http, { url: `${v.base}/people` }, { type: 'offset', mode: 'offset', param: 'offset', pageSize: 5, sizeParam: 'limit', items: b => b.data, total: b => b.meta.total })
  t.same(counted.map(p => p.items), [[1, 2], [3, 4], [5, 6], [7]], 'advances by what came, to the total')
  t.same(counted.map(p => p.resume), [{ at: 2, size: 5 }, { at: 4, size: 5 }, { at: 6, size: 5 }, null])
  v.hits.length = 0
  const uncounted = await read(http, { url: `${v.base}/people` }, { type: 'offset', mode: 'offset', param: 'offset', pageSize: 2, items: b => b.data }, { resumeFrom: { at: 4, size: 2 } })
  t.same(uncounted.map(p => p.items), [[5, 6], [7]])
})

t.test('graphql: pageInfo { hasNextPage endCursor } over POSTed variables, resumeFrom, and an error answer', async t => {
  const v = await vendor(t, (hit, res) => {
    const { query, variables } = JSON.parse(hit.body) as { query: string, variables: { first: number, after?: string } }
    if (query.includes('broken')) return json(res, 200, { data: null, errors: [{ message: 'Field "broken" does not exist' }] })
    const at = variables.after === undefined ? 0 : Number(variables.after.slice(1))
    const nodes = all.slice(at, at + variables.first)
    json(res, 200, { data: { users: { nodes, pageInfo: { hasNextPage: at + variables.first < all.length, endCursor: nodes.length > 0 ? `c${at + nodes.length}` : null } } } })
  })
  const http = client(v)
  const scheme: PaginationScheme<number> = { type: 'graphql', items: b => b.data.users.nodes, pageInfo: b => b.data.users.pageInfo }
  const req: HttpRequest = { url: `${v.base}/graphql`, json: { query: 'query ($first: Int!, $after: String) { users(first: $first, after: $after) { nodes pageInfo { hasNextPage endCursor } } }', variables: { first: 3 } } }
  const pages = await read(http, req, scheme)
  t.same(pages, [{ items: [1, 2, 3], resume: { cursor: 'c3' } }, { items: [4, 5, 6], resume: { cursor: 'c6' } }, { items: [7], resume: null }])
  t.same(v.hits.map(h => [h.method, JSON.parse(h.body).variables]), [['POST', { first: 3 }], ['POST', { first: 3, after: 'c3' }], ['POST', { first: 3, after: 'c6' }]])

  const resumed = await read(http, req, scheme, { resumeFrom: pages[1].resume })
  t.same(resumed.map(p => p.items), [[7]])
  await rejectsWith(t, read(http, { ...req, json: { query: '{ broken }' } }, scheme), GraphQLError)
  await rejectsWith(t, read(http, { ...req, json: { query: '{ broken }' } }, scheme), { message: 'GraphQL error: Field "broken" does not exist' })
})

t.test('query values may be arrays: each value is its own name=value pair', async t => {
  const v = await vendor(t, (hit, res) => json(res, 200, { sections: hit.query.getAll('section'), results: [], totalCount: 0 }))
  const http = client(v)
  const res = await http.request<{ sections: string[] }>({ url: `${v.base}/inventory?section=OLD&keep=1`, query: { section: ['GENERAL', 'HARDWARE'], page: 0, none: [] } })
  t.same(res.body.sections, ['GENERAL', 'HARDWARE'], 'replacing the same-named parameter of the URL')
  t.equal(v.hits[0].url, '/inventory?keep=1&section=GENERAL&section=HARDWARE&page=0', 'an empty array is left out')
  await read(http, { url: `${v.base}/inventory`, query: { section: ['A', 'B C'] } }, { type: 'offset', mode: 'page', param: 'page', pageSize: 2, items: b => b.results, total: b => b.totalCount })
  t.equal(v.hits[1].url, '/inventory?section=A&section=B%20C&page=0', 'kept on every page')
})

t.test('readAhead asks for the next page while this one is handled, never more than one ahead', async t => {
  const v = await vendor(t, (hit, res) => {
    const page = Number(hit.query.get('page'))
    json(res, 200, { totalCount: all.length, results: all.slice(page * 2, page * 2 + 2) })
  })
  const scheme: PaginationScheme<number> = { type: 'offset', mode: 'page', param: 'page', sizeParam: 'size', pageSize: 2, items: b => b.results, total: b => b.totalCount }
  const http = client(v)
  const ahead: number[] = []
  let handed = 0
  for await (const page of http.pages({ url: `${v.base}/x` }, scheme, { readAhead: true })) {
    handed++
    t.ok(page.items.length > 0)
    await new Promise(resolve => setTimeout(resolve, 30))
    ahead.push(v.hits.length - handed)
  }
  t.same(ahead, [1, 1, 1, 0], 'the next page was asked for while the caller held this one; none after the last')

  const plain = await vendor(t, (hit, res) => json(res, 200, { totalCount: all.length, results: all.slice(Number(hit.query.get('page')) * 2, Number(hit.query.get('page')) * 2 + 2) }))
  let lazy = 0
  for await (const page of client(plain).pages({ url: `${plain.base}/x` }, scheme)) {
    lazy++
    t.ok(page.items.length > 0)
    await new Promise(resolve => setTimeout(resolve, 30))
    t.equal(plain.hits.length, lazy, 'without it, a page is asked for only when the caller wants it')
  }
})
