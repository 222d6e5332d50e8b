// A local fake of the Jamf Pro API subset the connector uses: the client-credentials token
// endpoint, the computers inventory (v1, deprecated, and v3) and the mobile devices inventory (v2),
// with repeated `section`, zero-based page/page-size paging, RSQL serial filters, { totalCount,
// results } envelopes, Jamf's { httpStatus, errors } bodies, 401 for stale tokens, 403 for a missing
// privilege, and injected 429/503/500 answers. Reach it with routeToFake(fake.url): the connector
// keeps calling https://acme.jamfcloud.com while the fake answers on loopback. Built on the SDK's
// fake-vendor kit.
import { randomBytes, randomUUID } from 'node:crypto'
import { addOAuthEndpoint, pageOf, startFakeVendor, type FakeOptions, type FakeReply, type FakeRequest, type PluginFake } from '../../core/sdk/testing.ts'
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

export interface JamfFake extends PluginFake {
  settings: { tenantUrl: string, clientId: string, clientSecret: string }
  /** Generated devices; edit between syncs (e.g. bump revision). */
  fleet: Fleet
  /**
   * Explicit records served after the generated ones, in Jamf's shapes: a record with a
   * `mobileDeviceId` is a mobile device, any other a computer. Edit between syncs.
   */
  devices: Array<Record<string, unknown>>
  /** Every request, in order (a token request's form without its secret). */
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

const ERROR_BODIES: Record<number, unknown> = {
  404: apiError(404, 'NOT_FOUND', 'Not found'),
  405: apiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed'),
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

const integerParam = (query: Record<string, string>, name: string, fallback: number): number | null => {
  const raw = query[name]
  if (raw === undefined) return fallback
  return /^\d+$/.test(raw) ? Number(raw) : null
}

export async function startFake (options: JamfFakeOptions = {}): Promise<JamfFake> {
  const fleet: Fleet = { size: 0, changedEvery: 0, revision: 0, ...options.fleet }
  const devices: Array<Record<string, unknown>> = []
  const privileges = new Set(options.privileges ?? ['Read Computers', 'Read Mobile Devices'])
  const maxPageSize = options.maxPageSize ?? 2000
  const vendor = await startFakeVendor({ errorBody: status => ERROR_BODIES[status] ?? apiError(status, 'ERROR', 'Injected failure'), textType: 'text/html;charset=UTF-8' })
  const oauth = addOAuthEndpoint(vendor, {
    tokenPath: /^\/api(?:\/v1)?\/oauth\/token$/,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 599,
    tokenPrefix: 'eyJ',
    responseFields: { scope: 'api-role:1' },
    clientId: randomUUID(),
    unauthorized: () => ({ status: 401, body: apiError(401, 'INVALID_TOKEN', 'Unauthorized') })
  })
  const reply = (status: number, body: unknown): FakeReply => ({ status, body })

  function search (inventory: Inventory, req: FakeRequest): FakeReply {
    if (!privileges.has(inventory.privilege)) return reply(403, apiError(403, 'INVALID_PRIVILEGE', 'Forbidden'))
    const query = req.query
    const sections = new Set(req.searchParams.getAll('section').length === 0 ? ['GENERAL'] : req.searchParams.getAll('section'))
    const unknown = [...sections].find(s => !inventory.sections.has(s))
    if (unknown !== undefined) return reply(400, apiError(400, 'INVALID_FIELD', `Unknown section ${unknown}`, 'section'))
    const page = integerParam(query, 'page', 0)
    const requested = integerParam(query, 'page-size', 100)
    if (page === null || requested === null || requested < 1) return reply(400, apiError(400, 'INVALID_FIELD', 'page and page-size must be whole numbers', 'page-size'))
    const sort = query.sort
    // Only id order is implemented: a client asking for another order would get pages the fake cannot honour.
    if (sort !== undefined && sort !== inventory.idSort) return reply(400, apiError(400, 'INVALID_FIELD', `Sort ${sort} is not supported by this fake`, 'sort'))
    const pageSize = Math.min(requested, maxPageSize)

    const filter = query.filter
    if (filter !== undefined && filter !== '') {
      const equality = parseEquality(filter)
      if (equality === null || equality.field !== inventory.serialFilter) {
        return reply(400, apiError(400, 'INVALID_FIELD', `Unsupported filter ${filter}`, 'filter'))
      }
      const serial = equality.value.toLowerCase()
      const i = indexOfSerial(equality.value)
      const generated = i !== null && i < fleet.size && inventory.isOurs(i)
        ? [inventory.build(fleet, positionOf(i), sections)]
        : []
      const explicit = devices.filter(d => inventory.isExplicit(d) && String(nested(d, 'hardware', 'serialNumber') ?? '').toLowerCase() === serial)
      const results = [...generated, ...explicit]
      return reply(200, { totalCount: results.length, results: results.slice(page * pageSize, (page + 1) * pageSize) })
    }

    const generatedCount = inventory.size(fleet)
    const explicit = devices.filter(inventory.isExplicit)
    const totalCount = generatedCount + explicit.length
    const results = pageOf(totalCount, page * pageSize, pageSize, k => k < generatedCount ? inventory.build(fleet, k, sections) : explicit[k - generatedCount])
    return reply(200, { totalCount, results })
  }

  const versions = new Set(options.computerInventoryVersions ?? ['v1', 'v3'] as const)
  for (const version of versions) vendor.route('GET', COMPUTERS_PATHS[version], req => search(COMPUTERS, req), { guard: oauth.guard })
  vendor.route('GET', MOBILE_PATH, req => search(MOBILES, req), { guard: oauth.guard })

  return {
    url: vendor.url,
    settings: {
      tenantUrl: 'https://acme.jamfcloud.com',
      clientId: oauth.clientId,
      clientSecret: options.rejectCredentials === true ? randomBytes(24).toString('base64url') : oauth.clientSecret
    },
    fleet,
    devices,
    requests: vendor.requests,
    count: path => vendor.requests.filter(r => r.path === path).length,
    failNext (status, body, headers = {}, times = 1, path) {
      vendor.failNext({ status, body, headers, times, route: path !== undefined && TOKEN_PATHS.includes(path) ? 'token' : path })
    },
    expireTokens: oauth.expireTokens,
    close: vendor.close
  }
}
