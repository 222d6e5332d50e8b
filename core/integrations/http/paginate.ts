// paginate(): cursor, link and offset schemes over the client's request().
import type { HttpRequest, HttpResponse, PaginationScheme } from '../http-types.ts'
import { PaginationLoopError } from './errors.ts'

type Send = (req: HttpRequest) => Promise<HttpResponse>

// <target> followed by ;-separated params whose values may be quoted (and then hold , or ;)
const LINK_VALUE = /<([^>]*)>((?:\s*;\s*[^;,=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,]*))?)*)/g
const REL_PARAM = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i

/** The rel="next" target of a Link header (RFC 8288), or null. */
export function nextFromLinkHeader (header: string | undefined): string | null {
  if (header === undefined) return null
  for (const [, target, params] of header.matchAll(LINK_VALUE)) {
    const rel = REL_PARAM.exec(params)
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)
    if (rels.includes('next')) return target
  }
  return null
}

function present (value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== ''
}

async function * byCursor<T> (send: Send, req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'cursor' }>): AsyncGenerator<T[]> {
  const seen = new Set<string>()
  let page = req
  for (;;) {
    const res = await send(page)
    yield scheme.items(res.body)
    const cursor = scheme.next(res.body)
    if (!present(cursor)) return
    if (seen.has(cursor)) throw new PaginationLoopError(`pagination loop: the vendor returned the same '${scheme.param}' cursor twice`)
    seen.add(cursor)
    page = { ...req, query: { ...req.query, [scheme.param]: cursor } }
  }
}

async function * byLink<T> (send: Send, req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'link' }>): AsyncGenerator<T[]> {
  const seen = new Set<string>()
  let page = req
  for (;;) {
    const res = await send(page)
    seen.add(res.url)
    yield scheme.items(res.body)
    const link = scheme.next !== undefined ? scheme.next(res.body) : nextFromLinkHeader(res.headers.link)
    if (!present(link)) return
    const url = new URL(link, res.url).href // absolute, or relative to the page just read
    if (seen.has(url)) throw new PaginationLoopError('pagination loop: the vendor returned the same next link twice')
    // the next link carries the whole query already (e.g. Graph's @odata.nextLink)
    page = { ...req, url, query: undefined }
  }
}

async function * byOffset<T> (send: Send, req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'offset' }>): AsyncGenerator<T[]> {
  const start = scheme.start ?? 0
  const step = scheme.mode === 'page' ? 1 : scheme.pageSize
  let previous: string | null = null
  for (let n = 0; ; n++) {
    const query = { ...req.query, [scheme.param]: start + n * step }
    if (scheme.sizeParam !== undefined) query[scheme.sizeParam] = scheme.pageSize
    const res = await send({ ...req, query })
    const items = scheme.items(res.body)
    // a vendor that ignores the page parameter would hand out the first page forever
    const fingerprint = items.length > 0 ? JSON.stringify(items) : null
    if (fingerprint !== null && fingerprint === previous) {
      throw new PaginationLoopError(`pagination loop: the vendor returned the same page twice (is '${scheme.param}' the right parameter?)`)
    }
    previous = fingerprint
    yield items
    if (items.length < scheme.pageSize) return
  }
}

/** Yields the items of each page in order; errors (including an abort) end the iteration by throwing. */
export function paginate<T> (send: Send, req: HttpRequest, scheme: PaginationScheme<T>): AsyncGenerator<T[]> {
  switch (scheme.type) {
    case 'cursor': return byCursor(send, req, scheme)
    case 'link': return byLink(send, req, scheme)
    case 'offset': return byOffset(send, req, scheme)
  }
}
