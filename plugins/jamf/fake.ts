// A local fake of the Jamf Pro API subset the connector uses: the client-credentials token
// endpoint, the computers inventory (v1, deprecated, and v3) and the mobile devices inventory (v2),
// with repeated `section`, zero-based page/page-size paging, RSQL serial filters, { totalCount,
// results } envelopes, Jamf's { httpStatus, errors } bodies, 401 for stale tokens, 403 for a missing
// privilege, and injected 429/503/500 answers. Reach it with routeToFake(fake.url): the connector
// keeps calling https://acme.jamfcloud.com while the fake answers on loopback.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeOptions, PluginFake } from '../../core/sdk.ts'
import {
  computerCount, computerIndex, generatedComputer, generatedMobile, indexOfSerial, isComputerIndex, mobileCount, mobileIndex,
  positionOf, type Fleet
} from './fake-fleet.ts'

export { serialOf, wifiMacOf, emailOf, type Fleet } from './fake-fleet.ts'

export interface JamfFakeOptions extends FakeOptions {
  fleet?: Partial<Fleet>
  /** The largest page-size served; a bigger one is cut to it silently. Default 2000. */
  maxPageSize?: number
  /** The privileges of the API client's role. Default: Read Computers and Read Mobile Devices. */
  privileges?: string[]
  /** Which computers-inventory versions the server has (an older Jamf Pro has only v1). Default both. */
  computerInventoryVersions?: Array<'v1' | 'v3'>
  /** expires_in of the tokens issued. Default 599 (Jamf's documented example). */
  tokenLifetimeSeconds?: number
}

export interface FakeRequest { method: string, host: string | undefined, path: string, query: URLSearchParams }

export interface JamfFake extends PluginFake {
  settings: { tenantUrl: string, clientId: string, clientSecret: string }
  /** Generated devices; edit between syncs (e.g. bump revision). */
  fleet: Fleet
  /**
   * Explicit records served after the generated ones, in Jamf's shapes: a record with a
   * `mobileDeviceId` is a mobile device, any other a computer. Edit between syncs.
   */
  devices: Array<Record<string, unknown>>
  /** Every request, in order (paths and queries; never bodies). */
  requests: FakeRequest[]
  /** How many requests reached `path`. */
  count: (path: string) => number
  /** The next `times` inventory requests (to `path` only, when given; TOKEN_PATHS[0] for the token endpoint) answer `status` (e.g. 429 with Retry-After). */
  failNext: (status: number, body?: unknown, headers?: Record<string, string>, times?: number, path?: string) => void
  /** Every token issued so far is rejected from now on with Jamf's 401. */
  expireTokens: () => void
}

export const TOKEN_PATHS = ['/api/oauth/token', '/api/v1/oauth/token']
export const COMPUTERS_PATHS = { v1: '/api/v1/computers-inventory', v3: '/api/v3/computers-inventory' }
export const MOBILE_PATH = '/api/v2/mobile-devices/detail'

const COMPUTER_SECTIONS = new Set(['GENERAL', 'DISK_ENCRYPTION', 'PURCHASING', 'APPLICATIONS', 'STORAGE', 'USER_AND_LOCATION', 'CONFIGURATION_PROFILES',
  'PRINTERS', 'SERVICES', 'HARDWARE', 'LOCAL_USER_ACCOUNTS', 'CERTIFICATES', 'ATTACHMENTS', 'PLUGINS', 'PACKAGE_RECEIPTS', 'FONTS', 'SECURITY',
  'OPERATING_SYSTEM', 'LICENSED_SOFTWARE', 'IBEACONS', 'SOFTWARE_UPDATES', 'EXTENSION_ATTRIBUTES', 'CONTENT_CACHING', 'GROUP_MEMBERSHIPS'])
const MOBILE_SECTIONS = new Set(['GENERAL', 'HARDWARE', 'USER_AND_LOCATION', 'PURCHASING', 'SECURITY', 'APPLICATIONS', 'EBOOKS', 'NETWORK',
  'SERVICE_SUBSCRIPTIONS', 'CERTIFICATES', 'PROFILES', 'USER_PROFILES', 'PROVISIONING_PROFILES', 'SHARED_USERS', 'EXTENSION_ATTRIBUTES'])

/** How the fake pages one inventory: its generated devices, its explicit ones (both keep the serial in hardware.serialNumber), its filter. */
interface Inventory {
  privilege: string
  sections: Set<string>
  idSort: string
  serialFilter: string
  size: (fleet: Fleet) => number
  build: (fleet: Fleet, k: number, sections: Set<string>) => Record<string, unknown>
  isOurs: (i: number) => boolean
  isExplicit: (device: Record<string, unknown>) => boolean
}

const nested = (record: Record<string, unknown>, section: string, key: string): unknown => {
  const value = record[section]
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
}

const COMPUTERS: Inventory = {
  privilege: 'Read Computers',
  sections: COMPUTER_SECTIONS,
  idSort: 'id:asc',
  serialFilter: 'hardware.serialNumber',
  size: fleet => computerCount(fleet.size),
  build: (fleet, k, sections) => generatedComputer(fleet, computerIndex(k), sections),
  isOurs: isComputerIndex,
  isExplicit: device => !('mobileDeviceId' in device)
}

const MOBILES: Inventory = {
  privilege: 'Read Mobile Devices',
  sections: MOBILE_SECTIONS,
  idSort: 'mobileDeviceId:asc',
  serialFilter: 'serialNumber',
  size: fleet => mobileCount(fleet.size),
  build: (fleet, k, sections) => generatedMobile(fleet, mobileIndex(k), sections),
  isOurs: i => !isComputerIndex(i),
  isExplicit: device => 'mobileDeviceId' in device
}

/** Jamf Pro's error body ({ httpStatus, errors: [ApiErrorCause] }). */
const apiError = (status: number, code: string, description: string, field: string | null = null) =>
  ({ httpStatus: status, errors: [{ code, field, description, id: '0' }] })

const DEFAULT_FAILURE_BODIES: Record<number, unknown> = {
  429: apiError(429, 'TOO_MANY_REQUESTS', 'Too many requests'),
  500: apiError(500, 'INTERNAL_SERVER_ERROR', 'An internal server error occurred'),
  503: apiError(503, 'SERVICE_UNAVAILABLE', 'Jamf Pro is starting up or under maintenance')
}

/** `field=="value"` (or unquoted) as RSQL writes one comparison; null for anything else. */
function parseEquality (filter: string): { field: string, value: string } | null {
  const match = /^([A-Za-z][\w.]*)==(?:"((?:[^"\\]|\\.)*)"|([^"();,]*))$/.exec(filter.trim())
  if (match === null) return null
  return { field: match[1], value: match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3] }
}

const integerParam = (query: URLSearchParams, name: string, fallback: number): number | null => {
  const raw = query.get(name)
  if (raw === null) return fallback
  return /^\d+$/.test(raw) ? Number(raw) : null
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startFake (options: JamfFakeOptions = {}): Promise<JamfFake> {
  const clientId = randomUUID()
  const clientSecret = randomBytes(24).toString('base64url')
  const fleet: Fleet = { size: 0, changedEvery: 0, revision: 0, ...options.fleet }
  const devices: Array<Record<string, unknown>> = []
  const requests: FakeRequest[] = []
  const failures: Array<{ status: number, body: unknown, headers: Record<string, string>, path: string | undefined }> = []
  /** Valid tokens and when they expire. */
  const tokens = new Map<string, number>()
  const privileges = new Set(options.privileges ?? ['Read Computers', 'Read Mobile Devices'])
  const versions = new Set(options.computerInventoryVersions ?? ['v1', 'v3'])
  const maxPageSize = options.maxPageSize ?? 2000
  const lifetime = options.tokenLifetimeSeconds ?? 599

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    const type = typeof body === 'string' ? 'text/html;charset=UTF-8' : 'application/json;charset=UTF-8'
    res.writeHead(status, { 'content-type': type, ...headers }).end(text)
  }

  function token (res: ServerResponse, form: URLSearchParams): void {
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' })
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return send(res, 401, { error: 'invalid_client' })
    const accessToken = `eyJ${randomBytes(24).toString('base64url')}`
    tokens.set(accessToken, Date.now() + lifetime * 1000)
    send(res, 200, { access_token: accessToken, scope: 'api-role:1', token_type: 'Bearer', expires_in: lifetime })
  }

  function search (res: ServerResponse, inventory: Inventory, query: URLSearchParams): void {
    if (!privileges.has(inventory.privilege)) return send(res, 403, apiError(403, 'INVALID_PRIVILEGE', 'Forbidden'))
    const sections = new Set(query.getAll('section').length === 0 ? ['GENERAL'] : query.getAll('section'))
    const unknown = [...sections].find(s => !inventory.sections.has(s))
    if (unknown !== undefined) return send(res, 400, apiError(400, 'INVALID_FIELD', `Unknown section ${unknown}`, 'section'))
    const page = integerParam(query, 'page', 0)
    const requested = integerParam(query, 'page-size', 100)
    if (page === null || requested === null || requested < 1) return send(res, 400, apiError(400, 'INVALID_FIELD', 'page and page-size must be whole numbers', 'page-size'))
    const sort = query.get('sort')
    // Only id order is implemented: a client asking for another order would get pages the fake cannot honour.
    if (sort !== null && sort !== inventory.idSort) return send(res, 400, apiError(400, 'INVALID_FIELD', `Sort ${sort} is not supported by this fake`, 'sort'))
    const pageSize = Math.min(requested, maxPageSize)

    const filter = query.get('filter')
    if (filter !== null && filter !== '') {
      const equality = parseEquality(filter)
      if (equality === null || equality.field !== inventory.serialFilter) {
        return send(res, 400, apiError(400, 'INVALID_FIELD', `Unsupported filter ${filter}`, 'filter'))
      }
      const serial = equality.value.toLowerCase()
      const i = indexOfSerial(equality.value)
      const generated = i !== null && i < fleet.size && inventory.isOurs(i)
        ? [inventory.build(fleet, positionOf(i), sections)]
        : []
      const explicit = devices.filter(d => inventory.isExplicit(d) && String(nested(d, 'hardware', 'serialNumber') ?? '').toLowerCase() === serial)
      const results = [...generated, ...explicit]
      return send(res, 200, { totalCount: results.length, results: results.slice(page * pageSize, (page + 1) * pageSize) })
    }

    const generatedCount = inventory.size(fleet)
    const explicit = devices.filter(inventory.isExplicit)
    const totalCount = generatedCount + explicit.length
    const results: unknown[] = []
    for (let k = page * pageSize; k < Math.min((page + 1) * pageSize, totalCount); k++) {
      results.push(k < generatedCount ? inventory.build(fleet, k, sections) : explicit[k - generatedCount])
    }
    send(res, 200, { totalCount, results })
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    requests.push({ method: req.method ?? 'GET', host: req.headers.host, path: url.pathname, query: url.searchParams })
    if (TOKEN_PATHS.includes(url.pathname)) {
      if (req.method !== 'POST') return send(res, 405, apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed'))
      const down = failures.findIndex(f => f.path === url.pathname) // only a failure aimed at the token path
      if (down !== -1) {
        const [{ status, body, headers }] = failures.splice(down, 1)
        return send(res, status, body, headers)
      }
      return token(res, new URLSearchParams(body))
    }
    const inventory = url.pathname === MOBILE_PATH
      ? MOBILES
      : (url.pathname === COMPUTERS_PATHS.v1 && versions.has('v1')) || (url.pathname === COMPUTERS_PATHS.v3 && versions.has('v3')) ? COMPUTERS : null
    if (inventory === null || req.method !== 'GET') return send(res, 404, apiError(404, 'NOT_FOUND', 'Not found'))
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const expiresAt = bearer === undefined ? undefined : tokens.get(bearer)
    if (expiresAt === undefined || expiresAt <= Date.now()) return send(res, 401, apiError(401, 'INVALID_TOKEN', 'Unauthorized'))
    const failure = failures.findIndex(f => f.path === undefined || f.path === url.pathname)
    if (failure !== -1) {
      const [{ status, body, headers }] = failures.splice(failure, 1)
      return send(res, status, body, headers)
    }
    search(res, inventory, url.searchParams)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, apiError(500, 'INTERNAL_SERVER_ERROR', 'fake failure')))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    settings: {
      tenantUrl: 'https://acme.jamfcloud.com',
      clientId,
      clientSecret: options.rejectCredentials === true ? randomBytes(24).toString('base64url') : clientSecret
    },
    fleet,
    devices,
    requests,
    count: path => requests.filter(r => r.path === path).length,
    failNext (status, body, headers = {}, times = 1, path) {
      for (let n = 0; n < times; n++) failures.push({ status, body: body ?? DEFAULT_FAILURE_BODIES[status] ?? apiError(status, 'ERROR', 'Injected failure'), headers, path })
    },
    expireTokens () {
      tokens.clear()
    },
    async close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
