// A local fake of the Microsoft Graph subset the connector uses: Entra's v2.0 client-credentials
// token endpoint (with its AADSTS refusals) and GET /v1.0/deviceManagement/managedDevices with
// $select, $top (at most 1000 a page), $filter=serialNumber eq '…', @odata.nextLink paging by an
// opaque $skiptoken, 401 for expired tokens, 403 without the permission, and injected 429/5xx.
// The fleet is generated on demand (fake-fleet.ts); explicit records are served after it. Reach
// it with routeToFake(fake.url): the connector keeps calling login.microsoftonline.com and
// graph.microsoft.com while the fake answers on loopback.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeOptions, PluginFake } from '../../core/sdk.ts'
import { generatedDevice, indexOfSerial, type Fleet } from './fake-fleet.ts'

export { serialOf, SERIAL_PREFIX, type Fleet } from './fake-fleet.ts'

export interface IntuneFakeOptions extends FakeOptions {
  fleet?: Partial<Fleet>
  /** The most devices a page holds whatever $top asks (Graph: 1000); lower it to page a small fleet. */
  maxPageSize?: number
  /** Every token request is refused with this Entra error. */
  tokenError?: 'unknown-tenant' | 'unknown-app' | 'expired-secret' | 'no-consent'
  /** false: device requests get Graph's 403, as when the permission lacks admin consent. */
  permissionGranted?: boolean
}

export interface IntuneFake extends PluginFake {
  settings: { tenantId: string, clientId: string, clientSecret: string, loginHost: string, graphHost: string }
  /** The tenant's verified domain, accepted in place of its id. */
  tenantDomain: string
  /** The generated devices; change it between syncs. */
  fleet: Fleet
  /** Vendor-shaped records served after the generated ones (any shape: malformed ones too). */
  devices: unknown[]
  /** Every request received, in order (query values decoded; a token request's form without its secret). */
  requests: Array<{ method: string, host: string, path: string, query: Record<string, string>, form?: Record<string, string> }>
  /** The next `times` device requests answer this status (e.g. 429 with Retry-After). */
  failNext: (status: number, body?: unknown, headers?: Record<string, string>, times?: number) => void
  /** The next `times` token requests answer this status (Entra unavailable, e.g. 503). */
  failTokenNext: (status: number, body?: unknown, headers?: Record<string, string>, times?: number) => void
  /** The next `times` requests for the page starting at device `start` answer this status (a failure mid-sync). */
  failPage: (start: number, status: number, body?: unknown, headers?: Record<string, string>, times?: number) => void
  /** Every token issued so far is now refused with Graph's 401. */
  expireTokens: () => void
}

const TENANT_ID = '8f2e6c1a-4b7d-4e0a-9c35-1d2f3a4b5c6d'
/** The tenant's verified domain, accepted in place of its id. */
export const TENANT_DOMAIN = 'fleet-test.onmicrosoft.com'
const CLIENT_ID = '5a1b9c7e-2d3f-4a6b-8c0d-9e8f7a6b5c4d'
const DEVICES_PATH = '/v1.0/deviceManagement/managedDevices'
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/
const GRAPH_PAGE_LIMIT = 1000

/** managedDevice's v1.0 properties: $select accepts these and refuses any other name. */
const PROPERTIES = new Set([
  'id', 'userId', 'deviceName', 'managedDeviceOwnerType', 'enrolledDateTime', 'lastSyncDateTime', 'operatingSystem',
  'complianceState', 'jailBroken', 'managementAgent', 'osVersion', 'easActivated', 'easDeviceId', 'easActivationDateTime',
  'azureADRegistered', 'deviceEnrollmentType', 'activationLockBypassCode', 'emailAddress', 'azureADDeviceId',
  'deviceRegistrationState', 'deviceCategoryDisplayName', 'isSupervised', 'exchangeLastSuccessfulSyncDateTime',
  'exchangeAccessState', 'exchangeAccessStateReason', 'remoteAssistanceSessionUrl', 'remoteAssistanceSessionErrorDetails',
  'isEncrypted', 'userPrincipalName', 'model', 'manufacturer', 'imei', 'complianceGracePeriodExpirationDateTime',
  'serialNumber', 'phoneNumber', 'androidSecurityPatchLevel', 'userDisplayName', 'configurationManagerClientEnabledFeatures',
  'wiFiMacAddress', 'deviceHealthAttestationState', 'subscriberCarrier', 'meid', 'totalStorageSpaceInBytes',
  'freeStorageSpaceInBytes', 'managedDeviceName', 'partnerReportedThreatState', 'requireUserEnrollmentApproval',
  'managementCertificateExpirationDate', 'iccid', 'udid', 'notes', 'ethernetMacAddress', 'physicalMemoryInBytes',
  'enrollmentProfileName', 'managementState', 'deviceActionResults'
])

/** Entra's token errors: the OAuth error, the AADSTS code, the HTTP status and the description's first line. */
const ENTRA_ERRORS = {
  'unknown-tenant': ['invalid_request', 90002, 400, 'Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.'],
  'unknown-app': ['unauthorized_client', 700016, 400, 'Application was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant.'],
  'wrong-secret': ['invalid_client', 7000215, 401, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.'],
  'expired-secret': ['invalid_client', 7000222, 401, 'The provided client secret keys for app are expired.'],
  'no-consent': ['invalid_grant', 65001, 400, 'The user or administrator has not consented to use the application.'],
  'bad-scope': ['invalid_scope', 70011, 400, 'The provided request must include a \'scope\' input parameter.'],
  'bad-grant': ['unsupported_grant_type', 70003, 400, 'The app requested an unsupported grant type.']
} as const

function entraError (kind: keyof typeof ENTRA_ERRORS): [number, Record<string, unknown>] {
  const [error, code, status, text] = ENTRA_ERRORS[kind]
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z'
  const traceId = randomUUID()
  const correlationId = randomUUID()
  return [status, {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`
  }]
}

/** Graph's error envelope. */
function graphError (code: string, message: string): Record<string, unknown> {
  const date = new Date().toISOString().slice(0, 19)
  return { error: { code, message, innerError: { date, 'request-id': randomUUID(), 'client-request-id': randomUUID() } } }
}

const DEFAULT_FAILURES: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Please retry again later.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.']
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** serialNumber eq '…' (an OData string literal doubles its quotes); null for any other filter. */
function serialFilter (filter: string): string | null {
  const match = /^\s*serialNumber\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter)
  return match === null ? null : match[1].replaceAll('\'\'', '\'')
}

export async function startFake (options: IntuneFakeOptions = {}): Promise<IntuneFake> {
  const secret = randomBytes(24).toString('base64url')
  const salt = randomBytes(6).toString('hex') // skiptokens of another fake (or a forged one) are refused
  const fleet: Fleet = { size: 0, changedEvery: 0, revision: 0, ...options.fleet }
  const devices: unknown[] = []
  const requests: IntuneFake['requests'] = []
  type Failure = { status: number, body: unknown, headers: Record<string, string> }
  const failures: Failure[] = []
  const tokenFailures: Failure[] = []
  const pageFailures = new Map<number, Failure[]>()
  let validTokens = new Set<string>()
  const pageLimit = Math.min(options.maxPageSize ?? GRAPH_PAGE_LIMIT, GRAPH_PAGE_LIMIT)

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, {
      'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'request-id': randomUUID(),
      ...headers
    }).end(JSON.stringify(body))
  }

  function issueToken (res: ServerResponse, tenant: string, form: URLSearchParams): void {
    const down = tokenFailures.shift()
    if (down !== undefined) return json(res, down.status, down.body, down.headers)
    const refuse = (kind: keyof typeof ENTRA_ERRORS): void => { const [status, body] = entraError(kind); json(res, status, body) }
    if (tenant.toLowerCase() !== TENANT_ID && tenant.toLowerCase() !== TENANT_DOMAIN) return refuse('unknown-tenant')
    if (options.tokenError !== undefined) return refuse(options.tokenError)
    if (form.get('grant_type') !== 'client_credentials') return refuse('bad-grant')
    if (form.get('client_id') !== CLIENT_ID) return refuse('unknown-app')
    if (form.get('client_secret') !== secret) return refuse('wrong-secret')
    if (!/^https:\/\/[a-z0-9.-]+\/\.default$/.test(form.get('scope') ?? '')) return refuse('bad-scope')
    const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}`
    validTokens.add(token)
    json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token })
  }

  function failure (status: number, body: unknown, headers: Record<string, string>): Failure {
    const [code, message] = DEFAULT_FAILURES[status] ?? ['InternalServerError', 'An internal server error occurred.']
    return { status, body: body ?? graphError(code, message), headers }
  }

  const skiptoken = (offset: number): string => Buffer.from(`${salt}:${offset}`).toString('base64url')
  function offsetOf (token: string | null): number | null {
    if (token === null) return 0
    const [tokenSalt, offset] = Buffer.from(token, 'base64url').toString().split(':')
    return tokenSalt === salt && /^\d+$/.test(offset ?? '') ? Number(offset) : null
  }

  function deviceAt (i: number): unknown {
    return i < fleet.size ? generatedDevice(i, fleet) : devices[i - fleet.size]
  }

  /** Only the selected properties (and the type annotation); malformed explicit records pass as they are. */
  const project = (device: unknown, select: string[] | null): unknown => {
    if (select === null || typeof device !== 'object' || device === null || Array.isArray(device)) return device
    const record = device as Record<string, unknown>
    const projected: Record<string, unknown> = { '@odata.type': record['@odata.type'] }
    for (const key of select) if (key in record) projected[key] = record[key]
    return projected
  }

  function listDevices (req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (token === undefined) return json(res, 401, graphError('InvalidAuthenticationToken', 'Access token is empty.'))
    if (!validTokens.has(token)) return json(res, 401, graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'), { 'www-authenticate': 'Bearer realm="", error="invalid_token"' })
    if (options.permissionGranted === false) {
      return json(res, 403, graphError('Forbidden', 'Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All'))
    }
    const failure = failures.shift()
    if (failure !== undefined) return json(res, failure.status, failure.body, failure.headers)

    const params = url.searchParams
    const select = params.has('$select') ? (params.get('$select') ?? '').split(',').map(s => s.trim()).filter(s => s !== '') : null
    const unknown = select?.find(name => !PROPERTIES.has(name))
    if (unknown !== undefined) return json(res, 400, graphError('BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.managedDevice'.`))
    const top = params.has('$top') ? Number(params.get('$top')) : pageLimit
    if (!Number.isInteger(top) || top < 1) return json(res, 400, graphError('BadRequest', `Invalid value '${params.get('$top') ?? ''}' for $top query option found.`))
    const context = `https://${req.headers.host ?? 'graph.microsoft.com'}/v1.0/$metadata#deviceManagement/managedDevices`

    if (params.has('$filter')) {
      const serial = serialFilter(params.get('$filter') ?? '')
      if (serial === null) return json(res, 400, graphError('BadRequest', 'Invalid filter clause: only serialNumber eq \'…\' is supported by this fake.'))
      const generated = indexOfSerial(serial, fleet)
      const explicit = devices.filter(d => typeof (d as { serialNumber?: unknown })?.serialNumber === 'string' &&
        (d as { serialNumber: string }).serialNumber.toLowerCase() === serial.toLowerCase())
      const matches = [...(generated === null ? [] : [generatedDevice(generated, fleet)]), ...explicit].slice(0, Math.min(top, pageLimit))
      return json(res, 200, { '@odata.context': context, value: matches.map(d => project(d, select)) })
    }

    const offset = offsetOf(params.get('$skiptoken'))
    if (offset === null) return json(res, 400, graphError('BadRequest', 'The $skiptoken is invalid.'))
    const pageFailure = pageFailures.get(offset)?.shift()
    if (pageFailure !== undefined) return json(res, pageFailure.status, pageFailure.body, pageFailure.headers)
    const total = fleet.size + devices.length
    const end = Math.min(offset + Math.min(top, pageLimit), total)
    const value: unknown[] = []
    for (let i = offset; i < end; i++) value.push(project(deviceAt(i), select))
    const body: Record<string, unknown> = { '@odata.context': context, value }
    if (end < total) {
      const next = new URLSearchParams([...params].filter(([name]) => name !== '$skiptoken'))
      next.set('$skiptoken', skiptoken(end))
      const scheme = /^(127\.|localhost|\[::1\])/.test(req.headers.host ?? '') ? 'http' : 'https'
      body['@odata.nextLink'] = `${scheme}://${req.headers.host ?? 'graph.microsoft.com'}${DEVICES_PATH}?${next.toString().replaceAll('%24', '$').replaceAll('%2C', ',')}`
    }
    json(res, 200, body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    const entry: IntuneFake['requests'][number] = { method: req.method ?? 'GET', host: req.headers.host ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams) }
    requests.push(entry)
    const tenant = TOKEN_PATH.exec(url.pathname)?.[1]
    if (tenant !== undefined) {
      if (req.method !== 'POST') return json(res, 405, graphError('MethodNotAllowed', 'The token endpoint only accepts POST.'))
      const form = new URLSearchParams(body)
      entry.form = Object.fromEntries([...form].filter(([name]) => name !== 'client_secret'))
      return issueToken(res, decodeURIComponent(tenant), form)
    }
    if (url.pathname === DEVICES_PATH) {
      if (req.method !== 'GET') return json(res, 405, graphError('MethodNotAllowed', 'The request method is not supported for this resource.'))
      return listDevices(req, res, url)
    }
    json(res, 404, graphError('ResourceNotFound', `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, graphError('InternalServerError', 'An internal server error occurred.')))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    settings: {
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      clientSecret: options.rejectCredentials === true ? 'not-the-secret-value' : secret,
      loginHost: 'login.microsoftonline.com',
      graphHost: 'graph.microsoft.com'
    },
    tenantDomain: TENANT_DOMAIN,
    fleet,
    devices,
    requests,
    failNext (status, body, headers = {}, times = 1) {
      for (let i = 0; i < times; i++) failures.push(failure(status, body, headers))
    },
    failTokenNext (status, body, headers = {}, times = 1) {
      for (let i = 0; i < times; i++) tokenFailures.push({ status, body: body ?? { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable.' }, headers })
    },
    failPage (start, status, body, headers = {}, times = 1) {
      const queue = pageFailures.get(start) ?? []
      for (let i = 0; i < times; i++) queue.push(failure(status, body, headers))
      pageFailures.set(start, queue)
    },
    expireTokens () {
      validTokens = new Set()
    },
    async close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
