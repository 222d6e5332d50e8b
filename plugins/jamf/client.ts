// The Jamf Pro API on ctx.http: Jamf's answers turned into plain-words failures, and zero-based
// page/page-size paging over an inventory. ctx.http signs every request in with the manifest's
// oauth2 block (the token cached and renewed, a fresh one once when Jamf answers 401) and retries
// 429 and 5xx (with Retry-After) itself.
import { ConnectorError, type ConnectorContext, type HttpResponse } from '../../core/sdk.ts'
import type { Collection } from './collections.ts'
import { jamfFailures } from './failures.ts'
import { tenantBase, type JamfSettings } from './settings.ts'

/**
 * Records per page. Jamf documents 100 as the default and publishes no maximum; a server that
 * silently caps the size is detected on the first page and followed (see pages()).
 */
export const PAGE_SIZE = 1000

/** Records one serial lookup reads per inventory: a serial enrolled this often is beyond any real fleet. */
const SERIAL_MATCHES = 100

export interface InventoryPage {
  /** Zero-based. */
  page: number
  pageSize: number
  totalCount: number
  results: unknown[]
  /** No page follows this one. */
  last: boolean
}

export interface PagePosition { page: number, pageSize: number }

export interface JamfClient {
  /** One page of an inventory (the first, unless told otherwise). */
  search: (collection: Collection, options?: { page?: number, pageSize?: number, filter?: string }) => Promise<{ totalCount: number, results: unknown[] }>
  /** Every page of an inventory from `start`, reading the next page while the caller handles this one. */
  pages: (collection: Collection, start?: PagePosition) => AsyncGenerator<InventoryPage>
  /** The records whose serial number is `serial` (Jamf compares without case): usually one, a re-enrolled device several. */
  findBySerial: (collection: Collection, serial: string) => Promise<unknown[]>
}

/** A value inside an RSQL double-quoted string: backslash and quote escaped, so input cannot widen the filter. */
export function rsqlQuoted (value: string): string {
  return `"${value.replace(/[\\"]/g, char => `\\${char}`)}"`
}

/** The { totalCount, results } envelope of every Jamf Pro inventory search. */
function envelope (collection: Collection, path: string, body: unknown): { totalCount: number, results: unknown[] } {
  const { totalCount, results } = (typeof body === 'object' && body !== null ? body : {}) as { totalCount?: unknown, results?: unknown }
  if (!Array.isArray(results) || typeof totalCount !== 'number' || !Number.isInteger(totalCount) || totalCount < 0) {
    throw new ConnectorError('network', `Jamf Pro answered ${path} without a { totalCount, results } list of ${collection.noun}.`)
  }
  return { totalCount, results }
}

export function jamfClient (ctx: ConnectorContext<JamfSettings>): JamfClient {
  const tenant = tenantBase(ctx.settings)
  /** The path that answered, per collection: an older server is probed once per connection. */
  const found = new Map<Collection['id'], string>()

  async function search (collection: Collection, options: { page?: number, pageSize?: number, filter?: string } = {}) {
    const known = found.get(collection.id)
    const paths = known === undefined ? collection.paths : [known]
    const sections = collection.sections.map(s => `section=${s}`).join('&')
    for (const [i, path] of paths.entries()) {
      let res: HttpResponse
      try {
        res = await ctx.http.request({
          // section repeats, so it is written into the URL; the rest goes through query
          url: `${tenant}${path}?${sections}`,
          query: { page: options.page ?? 0, 'page-size': options.pageSize ?? PAGE_SIZE, sort: collection.sort, filter: options.filter },
          headers: { accept: 'application/json' },
          expect: [200, 400, 401, 403, 404]
        })
      } catch (err) {
        throw jamfFailures.explain(ctx, err, { collection, path })
      }
      if (res.status === 404 && i < paths.length - 1) continue
      if (res.status !== 200) throw jamfFailures.response(ctx, res, { collection, path })
      found.set(collection.id, path)
      return envelope(collection, path, res.body)
    }
    throw new Error('unreachable: a collection has at least one path')
  }

  async function * pages (collection: Collection, start: PagePosition = { page: 0, pageSize: PAGE_SIZE }): AsyncGenerator<InventoryPage> {
    let { page, pageSize } = start
    const read = (n: number, size: number) => {
      const pending = search(collection, { page: n, pageSize: size })
      pending.catch(() => {}) // awaited below; this only stops an abandoned read-ahead from going unhandled
      return pending
    }
    let next = read(page, pageSize)
    for (;;) {
      const { totalCount, results } = await next
      // A first page shorter than asked while more remain: the server caps page-size. Follow its size.
      if (page === 0 && results.length > 0 && results.length < pageSize && results.length < totalCount) pageSize = results.length
      const last = results.length === 0 || (page + 1) * pageSize >= totalCount
      if (!last) next = read(page + 1, pageSize)
      yield { page, pageSize, totalCount, results, last }
      if (last) return
      page++
    }
  }

  async function findBySerial (collection: Collection, serial: string): Promise<unknown[]> {
    const { results } = await search(collection, { pageSize: SERIAL_MATCHES, filter: `${collection.serialField}==${rsqlQuoted(serial)}` })
    return results
  }

  return { search, pages, findBySerial }
}
