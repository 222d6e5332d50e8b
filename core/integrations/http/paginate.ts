// paginate() and pages(): cursor, link, offset/page and GraphQL schemes over the client's
// request(), each page with the token to resume after it (a checkpoint's worth), from a token.
import type { HttpRequest, HttpResponse, Page, PageOptions, PaginationScheme, ResumeToken } from '../http-types.ts'
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

/** A GraphQL answer with `errors` and no `data`: the query failed although the status was 200. */
export class GraphQLError extends Error {
  override name = 'GraphQLError'
  constructor (readonly errors: unknown[]) {
    const first = errors[0] as { message?: unknown } | undefined
    super(`GraphQL error: ${typeof first?.message === 'string' ? first.message : JSON.stringify(first)}`)
  }
}

/** One page to read: its request and the token that names it. */
interface Position { req: HttpRequest, token: ResumeToken | null }
/** What a page's answer says: its items and the page after it (null: the last; an error: a loop). */
type Step<T> = (at: Position, res: HttpResponse) => { items: T[], next: Position | null | PaginationLoopError }
type Resume = Readonly<Record<string, unknown>> | null | undefined

const text = (resume: Resume, key: string): string | null => {
  const value = resume?.[key]
  return typeof value === 'string' && value !== '' ? value : null
}
const whole = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min

function byCursor<T> (req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'cursor' }>, resume: Resume): [Position, Step<T>] {
  const seen = new Set<string>()
  const at = (cursor: string): Position => ({ req: { ...req, query: { ...req.query, [scheme.param]: cursor } }, token: { cursor } })
  const from = text(resume, 'cursor')
  if (from !== null) seen.add(from)
  return [from === null ? { req, token: null } : at(from), (_at, res) => {
    const items = scheme.items(res.body, res)
    const cursor = scheme.next(res.body)
    if (!present(cursor)) return { items, next: null }
    if (seen.has(cursor)) return { items, next: new PaginationLoopError(`pagination loop: the vendor returned the same '${scheme.param}' cursor twice`) }
    seen.add(cursor)
    return { items, next: at(cursor) }
  }]
}

function byLink<T> (req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'link' }>, resume: Resume): [Position, Step<T>] {
  const seen = new Set<string>()
  // the next link carries the whole query already (e.g. Graph's @odata.nextLink)
  const at = (link: string): Position => ({ req: { ...req, url: link, query: undefined }, token: { link } })
  const from = text(resume, 'link')
  // a saved link is followed only to the host the request names: a stored token never picks the host
  const sameHost = from !== null && URL.canParse(from) && new URL(from).host === new URL(req.url).host
  return [sameHost ? at(from) : { req, token: null }, (_at, res) => {
    seen.add(res.url)
    const items = scheme.items(res.body, res)
    const link = scheme.next !== undefined ? scheme.next(res.body) : nextFromLinkHeader(res.headers.link)
    if (!present(link)) return { items, next: null }
    const url = new URL(link, res.url).href // absolute, or relative to the page just read
    if (seen.has(url)) return { items, next: new PaginationLoopError('pagination loop: the vendor returned the same next link twice') }
    return { items, next: at(url) }
  }]
}

function byOffset<T> (req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'offset' }>, resume: Resume): [Position, Step<T>] {
  const first = scheme.start ?? 0
  const at = (n: number, size: number): Position => {
    const query = { ...req.query, [scheme.param]: n }
    if (scheme.sizeParam !== undefined) query[scheme.sizeParam] = size
    return { req: { ...req, query }, token: { at: n, size } }
  }
  let previous: string | null = null
  const resumed = whole(resume?.at, first) && whole(resume?.size, 1)
  const start = resumed ? at(resume.at as number, resume.size as number) : at(first, scheme.pageSize)
  return [start, (position, res) => {
    let { at: n, size } = position.token as { at: number, size: number }
    const items = scheme.items(res.body, res)
    // a vendor that ignores the page parameter would hand out the first page forever
    const fingerprint = items.length > 0 ? JSON.stringify(items) : null
    if (fingerprint !== null && fingerprint === previous) {
      throw new PaginationLoopError(`pagination loop: the vendor returned the same page twice (is '${scheme.param}' the right parameter?)`)
    }
    previous = fingerprint
    const total = scheme.total?.(res.body)
    if (typeof total !== 'number') {
      return { items, next: items.length < size ? null : at(n + (scheme.mode === 'page' ? 1 : size), size) }
    }
    if (scheme.mode === 'page') {
      // a first page shorter than asked while more remain: the vendor caps the size; follow it
      if (n === first && items.length > 0 && items.length < size && items.length < total) size = items.length
      const last = items.length === 0 || (n - first + 1) * size >= total
      return { items, next: last ? null : at(n + 1, size) }
    }
    const last = items.length === 0 || n + items.length >= total
    return { items, next: last ? null : at(n + items.length, size) }
  }]
}

function byGraphQL<T> (req: HttpRequest, scheme: Extract<PaginationScheme<T>, { type: 'graphql' }>, resume: Resume): [Position, Step<T>] {
  const variable = scheme.variable ?? 'after'
  const body = (req.json ?? {}) as { variables?: Record<string, unknown> }
  const seen = new Set<string>()
  const at = (cursor: string | null): Position => ({
    req: { ...req, method: req.method ?? 'POST', json: cursor === null ? body : { ...body, variables: { ...body.variables, [variable]: cursor } } },
    token: cursor === null ? null : { cursor }
  })
  const from = text(resume, 'cursor')
  if (from !== null) seen.add(from)
  return [at(from), (_at, res) => {
    const answer = res.body as { data?: unknown, errors?: unknown } | null
    if (Array.isArray(answer?.errors) && answer.errors.length > 0 && (answer.data === undefined || answer.data === null)) throw new GraphQLError(answer.errors)
    const items = scheme.items(res.body, res)
    const info = scheme.pageInfo(res.body)
    const cursor = info?.endCursor
    if (info?.hasNextPage !== true || !present(cursor)) return { items, next: null }
    if (seen.has(cursor)) return { items, next: new PaginationLoopError(`pagination loop: the vendor returned the same '${variable}' cursor twice`) }
    seen.add(cursor)
    return { items, next: at(cursor) }
  }]
}

function plan<T> (req: HttpRequest, scheme: PaginationScheme<T>, resume: Resume): [Position, Step<T>] {
  switch (scheme.type) {
    case 'cursor': return byCursor(req, scheme, resume)
    case 'link': return byLink(req, scheme, resume)
    case 'offset': return byOffset(req, scheme, resume)
    case 'graphql': return byGraphQL(req, scheme, resume)
  }
}

/** The walk: `itemsBeforeLoop` hands out the items of the page whose next one loops before throwing. */
async function * walk<T> (send: Send, req: HttpRequest, scheme: PaginationScheme<T>, options: PageOptions, itemsBeforeLoop: boolean): AsyncGenerator<Page<T>> {
  const [first, step] = plan(req, scheme, options.resumeFrom)
  const read = (at: Position): Promise<HttpResponse> => {
    const pending = send(at.req)
    pending.catch(() => {}) // awaited below; this only stops an abandoned read-ahead from going unhandled
    return pending
  }
  let at = first
  let pending = read(at)
  for (;;) {
    const { items, next } = step(at, await pending)
    if (next instanceof PaginationLoopError) {
      if (itemsBeforeLoop) yield { items, resume: null }
      throw next
    }
    if (next !== null && options.readAhead === true) pending = read(next)
    yield { items, resume: next?.token ?? null }
    if (next === null) return
    if (options.readAhead !== true) pending = read(next)
    at = next
  }
}

/**
 * Yields each page with the token to resume after it, from `resumeFrom` or the first page; errors
 * (including an abort) end the iteration by throwing. A page whose next one would repeat an earlier
 * one is not handed out: no checkpoint ever points into a loop.
 */
export function pages<T> (send: Send, req: HttpRequest, scheme: PaginationScheme<T>, options: PageOptions = {}): AsyncGenerator<Page<T>> {
  return walk(send, req, scheme, options, false)
}

/** Yields the items of each page in order (the page before a loop too, then the PaginationLoopError). */
export async function * paginate<T> (send: Send, req: HttpRequest, scheme: PaginationScheme<T>, options: PageOptions = {}): AsyncGenerator<T[]> {
  for await (const page of walk(send, req, scheme, options, true)) yield page.items
}
