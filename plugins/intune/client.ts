// Microsoft Graph's managed devices over ctx.http, @odata.nextLink paging, and the serial filter of
// a lookup. ctx.http signs every request in with the manifest's oauth2 block (Entra's client
// credentials, the token cached and renewed, a fresh one once if Graph answers 401).
import { ConnectorError, HttpStatusError, PaginationLoopError, type ConnectorContext, type HttpRequest, type Page, type PaginationScheme } from '../../core/sdk.ts'
import { graphPaging } from '../_shared/microsoft/graph.ts'
import { graphFailures } from './failures.ts'
import { SELECT } from './map.ts'
import { graphRoot, type IntuneSettings } from './settings.ts'

type Ctx = ConnectorContext<IntuneSettings>

const DEVICES = '/deviceManagement/managedDevices'
/**
 * The page size asked for. Microsoft documents no maximum for managedDevices; community reports say
 * 1000. Graph may send smaller pages, and the nextLink is followed either way.
 */
export const PAGE_SIZE = 1000

interface Collection { value: unknown[], '@odata.nextLink'?: unknown }

/** One GET on Graph, its failure in plain words. */
async function graphGet (ctx: Ctx, url: string, query?: HttpRequest['query']): Promise<Collection> {
  let body: unknown
  try {
    body = (await ctx.http.request({ url, query, headers: { accept: 'application/json' } })).body
  } catch (err) {
    throw graphFailures.explain(ctx, err)
  }
  return deviceList(body)
}

function deviceList (body: unknown): Collection {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Partial<Collection>).value)) {
    throw new ConnectorError('network', 'Microsoft Graph answered the device request without a device list.')
  }
  return body as Collection
}

/** Graph's paging (the next page at @odata.nextLink), a page without a device list refused. */
const GRAPH_PAGES: PaginationScheme<unknown> = { ...graphPaging(), items: body => deviceList(body).value }

/**
 * Every managed device, page by page, each with the token to resume after it. `resumeFrom` is a
 * link saved by an earlier attempt: one of another Graph host starts the list over (ctx.http's
 * rule), and so does one Graph no longer accepts, which a full sync allows.
 */
export async function * devicePages (ctx: Ctx, resumeFrom: { link: string } | null = null): AsyncGenerator<Page<unknown>> {
  const first: HttpRequest = { url: `${graphRoot(ctx.settings)}${DEVICES}`, query: { $select: SELECT, $top: PAGE_SIZE }, headers: { accept: 'application/json' } }
  let read = 0
  try {
    for await (const page of ctx.http.pages(first, GRAPH_PAGES, { resumeFrom })) {
      read++
      yield page
    }
  } catch (err) {
    const failure = graphFailures.explain(ctx, err)
    if (failure instanceof PaginationLoopError) throw new PaginationLoopError('pagination loop: Microsoft Graph returned the same next link twice')
    const refusedLink = read === 0 && err instanceof HttpStatusError && err.url === resumeFrom?.link
    if (!refusedLink || !(failure instanceof ConnectorError) || failure.reason !== 'config') throw failure
    ctx.log.warn({ err: failure }, 'Microsoft Graph refused the saved page link; listing devices from the start')
    yield * devicePages(ctx)
  }
}

/** The devices Intune records under this serial (usually one; a re-enrolled device may have several). */
export async function devicesWithSerial (ctx: Ctx, serial: string): Promise<unknown[]> {
  const literal = serial.replaceAll('\'', '\'\'') // an OData string literal doubles its quotes
  const body = await graphGet(ctx, `${graphRoot(ctx.settings)}${DEVICES}`, { $filter: `serialNumber eq '${literal}'`, $select: SELECT })
  return body.value
}

/** Reads one managed device: proves the token, the permission and the Intune licence. */
export async function readOneDevice (ctx: Ctx): Promise<number> {
  const body = await graphGet(ctx, `${graphRoot(ctx.settings)}${DEVICES}`, { $select: 'id', $top: 1 })
  return body.value.length
}
