// Microsoft Graph's managed devices over ctx.http, @odata.nextLink paging, and the serial filter of
// a lookup. ctx.http signs every request in with the manifest's oauth2 block (Entra's client
// credentials, the token cached and renewed, a fresh one once if Graph answers 401).
import { ConnectorError, PaginationLoopError, type ConnectorContext, type HttpRequest } from '../../core/sdk.ts'
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

export interface DevicePage {
  /** Vendor records as Graph sent them: read them with map.ts. */
  devices: unknown[]
  /** The page after this one, or null on the last page. */
  nextLink: string | null
}

interface Collection { value: unknown[], '@odata.nextLink'?: unknown }

/** One GET on Graph, its failure in plain words. */
async function graphGet (ctx: Ctx, url: string, query?: HttpRequest['query']): Promise<Collection> {
  let body: Partial<Collection> | null
  try {
    body = (await ctx.http.request<Partial<Collection> | null>({ url, query, headers: { accept: 'application/json' } })).body
  } catch (err) {
    throw graphFailures.explain(ctx, err)
  }
  if (typeof body !== 'object' || body === null || !Array.isArray(body.value)) {
    throw new ConnectorError('network', 'Microsoft Graph answered the device request without a device list.')
  }
  return body as Collection
}

const nextLinkOf = (body: Collection): string | null =>
  typeof body['@odata.nextLink'] === 'string' && body['@odata.nextLink'] !== '' ? body['@odata.nextLink'] : null

function sameHost (link: string, base: string): boolean {
  try {
    return new URL(link).host === new URL(base).host
  } catch {
    return false
  }
}

/**
 * Every managed device, page by page. `resumeFrom` is a nextLink saved by an earlier attempt; one
 * Graph no longer accepts (or of another Graph host) starts the list over, which a full sync allows.
 */
export async function * devicePages (ctx: Ctx, resumeFrom: string | null = null): AsyncGenerator<DevicePage> {
  const first = `${graphRoot(ctx.settings)}${DEVICES}`
  const firstPage = (): [string, HttpRequest['query']] => [first, { $select: SELECT, $top: PAGE_SIZE }]
  if (resumeFrom !== null && !sameHost(resumeFrom, first)) resumeFrom = null
  let [url, query] = resumeFrom !== null ? [resumeFrom, undefined] : firstPage()
  for (;;) {
    let body: Collection
    try {
      body = await graphGet(ctx, url, query)
    } catch (err) {
      if (url !== resumeFrom || !(err instanceof ConnectorError) || err.reason !== 'config') throw err
      ctx.log.warn({ err }, 'Microsoft Graph refused the saved page link; listing devices from the start')
      ;[url, query] = firstPage()
      resumeFrom = null
      continue
    }
    const nextLink = nextLinkOf(body)
    yield { devices: body.value, nextLink }
    if (nextLink === null) return
    if (nextLink === url) throw new PaginationLoopError('pagination loop: Microsoft Graph returned the same next link twice')
    url = nextLink
    query = undefined // a nextLink carries the whole query
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
