// The Jamf Pro API on ctx.http: Jamf's answers turned into plain-words failures, and zero-based
// page/page-size paging over an inventory. ctx.http signs every request in with the manifest's
// oauth2 block (the token cached and renewed, a fresh one once when Jamf answers 401) and retries
// 429 and 5xx (with Retry-After) itself.
import { ConnectorError, type ConnectorContext, type HttpRequest, type HttpResponse, type Page, type ResumeToken } from '../../core/sdk.ts'
import type { Collection } from './collections.ts'
import { jamfFailures } from './failures.ts'
import { tenantBase, type JamfSettings } from './settings.ts'

/**
 * Records per page. Jamf documents 100 as the default and publishes no maximum; a server that
 * silently caps the size is detected on the first page and followed (ctx.http's offset scheme).
 */
export const PAGE_SIZE = 1000

/** Records one serial lookup reads per inventory: a serial enrolled this often is beyond any real fleet. */
const SERIAL_MATCHES = 100

export interface JamfClient {
  /** One page of an inventory (the first, unless told otherwise). */
  search: (collection: Collection, options?: { page?: number, pageSize?: number, filter?: string }) => Promise<Envelope>
  /**
   * Every page of an inventory, each with the token to resume after it, from `resumeFrom`'s page
   * ({ at: page, size: pageSize }), reading the next page while the caller handles this one.
   */
  pages: (collection: Collection, resumeFrom?: ResumeToken | null) => AsyncGenerator<Page<unknown>>
  /** The records whose serial number is `serial` (Jamf compares without case): usually one, a re-enrolled device several. */
  findBySerial: (collection: Collection, serial: string) => Promise<unknown[]>
}

/** A value inside an RSQL double-quoted string: backslash and quote escaped, so input cannot widen the filter. */
export function rsqlQuoted (value: string): string {
  return `"${value.replace(/[\\"]/g, char => `\\${char}`)}"`
}

interface Envelope { totalCount: number, results: unknown[] }

/** The { totalCount, results } envelope of every Jamf Pro inventory search. */
function envelope (collection: Collection, path: string, body: unknown): Envelope {
  const { totalCount, results } = (typeof body === 'object' && body !== null ? body : {}) as { totalCount?: unknown, results?: unknown }
  if (!Array.isArray(results) || typeof totalCount !== 'number' || !Number.isInteger(totalCount) || totalCount < 0) {
    throw new ConnectorError('network', `Jamf Pro answered ${path} without a { totalCount, results } list of ${collection.noun}.`)
  }
  return { totalCount, results }
}

/** A newer inventory path this server does not have (404): the next, older one is tried. */
class NotOnThisServer extends Error {}

export function jamfClient (ctx: ConnectorContext<JamfSettings>): JamfClient {
  const tenant = tenantBase(ctx.settings)
  /** The path that answered, per collection: an older server is probed once per connection. */
  const found = new Map<Collection['id'], string>()

  const inventory = (path: string, query: HttpRequest['query']): HttpRequest =>
    ({ url: `${tenant}${path}`, query, headers: { accept: 'application/json' }, expect: [200, 400, 401, 403, 404] })

  /**
   * `read` over each path of the collection in turn until one is on this server (a 404 of a path
   * that may be too new for it goes on to the next, older one), its answers checked by `answer`.
   */
  async function * probing<T> (collection: Collection, read: (path: string, answer: (res: HttpResponse) => Envelope) => AsyncIterable<T>): AsyncGenerator<T> {
    const known = found.get(collection.id)
    const paths = known === undefined ? collection.paths : [known]
    for (const [i, path] of paths.entries()) {
      const answer = (res: HttpResponse): Envelope => {
        if (res.status === 404 && i < paths.length - 1 && !found.has(collection.id)) throw new NotOnThisServer()
        if (res.status !== 200) throw jamfFailures.response(ctx, res, { collection, path })
        found.set(collection.id, path)
        return envelope(collection, path, res.body)
      }
      try {
        yield * read(path, answer)
        return
      } catch (err) {
        if (!(err instanceof NotOnThisServer)) throw jamfFailures.explain(ctx, err, { collection, path })
      }
    }
  }

  async function search (collection: Collection, options: { page?: number, pageSize?: number, filter?: string } = {}) {
    const query = { section: collection.sections, page: options.page ?? 0, 'page-size': options.pageSize ?? PAGE_SIZE, sort: collection.sort, filter: options.filter }
    const answers = probing(collection, async function * (path, answer) { yield answer(await ctx.http.request(inventory(path, query))) })
    const { value } = await answers.next()
    await answers.return(undefined)
    return value as Envelope
  }

  // Zero-based pages in the order of a stable sort, until the pages cover totalCount; a server that
  // serves smaller pages than asked is followed at its size (ctx.http's offset scheme).
  function pages (collection: Collection, resumeFrom: ResumeToken | null = null): AsyncGenerator<Page<unknown>> {
    return probing(collection, (path, answer) => ctx.http.pages(inventory(path, { section: collection.sections, sort: collection.sort }), {
      type: 'offset',
      mode: 'page',
      param: 'page',
      sizeParam: 'page-size',
      pageSize: PAGE_SIZE,
      items: (_body, res) => answer(res).results,
      total: body => (body as { totalCount: number }).totalCount
    }, { resumeFrom, readAhead: true }))
  }

  async function findBySerial (collection: Collection, serial: string): Promise<unknown[]> {
    const { results } = await search(collection, { pageSize: SERIAL_MATCHES, filter: `${collection.serialField}==${rsqlQuoted(serial)}` })
    return results
  }

  return { search, pages, findBySerial }
}
