// A local fake of the Microsoft Graph subset the connector uses: Entra's v2.0 client-credentials
// token endpoint (with its AADSTS refusals) and GET /v1.0/deviceManagement/managedDevices with
// $select, $top (at most 1000 a page), $filter=serialNumber eq '…', @odata.nextLink paging by an
// opaque $skiptoken, 401 for expired tokens, 403 without the permission, and injected 429/5xx.
// The fleet is generated on demand (fake-fleet.ts); explicit records are served after it. Reach
// it with routeToFake(fake.url): the connector keeps calling login.microsoftonline.com and
// graph.microsoft.com while the fake answers on loopback. Built on the SDK's fake-vendor kit.
import { randomUUID } from 'node:crypto'
import {
  addOAuthEndpoint, linkOnCalledHost, opaqueCursors, pageOf, startFakeVendor,
  type FakeOptions, type FakeReply, type FakeRequest, type PluginFake
} from '../../core/sdk/testing.ts'
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

type Fail = (status: number, body?: unknown, headers?: Record<string, string>, times?: number) => void

export interface IntuneFake extends PluginFake {
  settings: { tenantId: string, clientId: string, clientSecret: string, loginHost: string, graphHost: string }
  /** The tenant's verified domain, accepted in place of its id. */
  tenantDomain: string
  /** The generated devices; change it between syncs. */
  fleet: Fleet
  /** Vendor-shaped records served after the generated ones (any shape: malformed ones too). */
  devices: unknown[]
  /** Every request received, in order (query values decoded; a token request's form without its secret). */
  requests: FakeRequest[]
  /** The next `times` device requests answer this status (e.g. 429 with Retry-After). */
  failNext: Fail
  /** The next `times` token requests answer this status (Entra unavailable, e.g. 503). */
  failTokenNext: Fail
  /** The next `times` requests for the page starting at device `start` answer this status (a failure mid-sync). */
  failPage: (start: number, ...failure: Parameters<Fail>) => void
  /** Every token issued so far is now refused with Graph's 401. */
  expireTokens: () => void
}

const TENANT_ID = '8f2e6c1a-4b7d-4e0a-9c35-1d2f3a4b5c6d'
/** The tenant's verified domain, accepted in place of its id. */
export const TENANT_DOMAIN = 'fleet-test.onmicrosoft.com'
const CLIENT_ID = '5a1b9c7e-2d3f-4a6b-8c0d-9e8f7a6b5c4d'
const DEVICES_PATH = '/v1.0/deviceManagement/managedDevices'
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/
const ENTRA_UNAVAILABLE = { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable.' }
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

function entraError (kind: keyof typeof ENTRA_ERRORS): FakeReply {
  const [error, code, status, text] = ENTRA_ERRORS[kind]
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z'
  const traceId = randomUUID()
  const correlationId = randomUUID()
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`
    }
  }
}

/** Graph's error envelope. */
function graphError (code: string, message: string): Record<string, unknown> {
  const date = new Date().toISOString().slice(0, 19)
  return { error: { code, message, innerError: { date, 'request-id': randomUUID(), 'client-request-id': randomUUID() } } }
}

const GRAPH_FAILURES: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Please retry again later.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.']
}

/** Graph's error body for a status (Entra's for the token endpoint). */
function errorBody (status: number, req?: FakeRequest): unknown {
  if (req !== undefined && TOKEN_PATH.test(req.path)) return status === 405 ? graphError('MethodNotAllowed', 'The token endpoint only accepts POST.') : ENTRA_UNAVAILABLE
  if (status === 404) return graphError('ResourceNotFound', `Resource not found for the segment '${req?.path.split('/').pop() ?? ''}'.`)
  if (status === 405) return graphError('MethodNotAllowed', 'The request method is not supported for this resource.')
  const [code, message] = GRAPH_FAILURES[status] ?? ['InternalServerError', 'An internal server error occurred.']
  return graphError(code, message)
}

/** serialNumber eq '…' (an OData string literal doubles its quotes); null for any other filter. */
function serialFilter (filter: string): string | null {
  const match = /^\s*serialNumber\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(filter)
  return match === null ? null : match[1].replaceAll('\'\'', '\'')
}

/** How Entra words each refusal of the kit's token endpoint. */
const ENTRA_REFUSALS = {
  unsupported_grant_type: 'bad-grant', unknown_client: 'unknown-app', invalid_secret: 'wrong-secret', invalid_grant: 'no-consent', invalid_request: 'bad-scope', refused: 'expired-secret'
} as const

export async function startFake (options: IntuneFakeOptions = {}): Promise<IntuneFake> {
  const fleet: Fleet = { size: 0, changedEvery: 0, revision: 0, ...options.fleet }
  const devices: unknown[] = []
  const pageLimit = Math.min(options.maxPageSize ?? GRAPH_PAGE_LIMIT, GRAPH_PAGE_LIMIT)
  const skiptokens = opaqueCursors() // skiptokens of another fake (or a forged one) are refused
  const vendor = await startFakeVendor({
    errorBody,
    headers: () => ({ 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8', 'request-id': randomUUID() })
  })
  const reply = (status: number, body: unknown): FakeReply => ({ status, body })

  const oauth = addOAuthEndpoint(vendor, {
    tokenPath: TOKEN_PATH,
    clientId: CLIENT_ID,
    lifetimeSeconds: 3599,
    responseFields: { ext_expires_in: 3599 },
    tokenPrefix: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.',
    check: (req, form) => {
      const tenant = req.captured[0].toLowerCase()
      if (tenant !== TENANT_ID && tenant !== TENANT_DOMAIN) return entraError('unknown-tenant')
      if (options.tokenError !== undefined) return entraError(options.tokenError)
      return /^https:\/\/[a-z0-9.-]+\/\.default$/.test(form.get('scope') ?? '') ? null : entraError('bad-scope')
    },
    refusal: why => entraError(ENTRA_REFUSALS[why]),
    unauthorized: (_req, token) => token === undefined
      ? reply(401, graphError('InvalidAuthenticationToken', 'Access token is empty.'))
      : { ...reply(401, graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.')), headers: { 'www-authenticate': 'Bearer realm="", error="invalid_token"' } }
  })

  const deviceAt = (i: number): unknown => i < fleet.size ? generatedDevice(i, fleet) : devices[i - fleet.size]
  const offsetOf = (req: FakeRequest): number | null => req.query.$skiptoken === undefined ? 0 : skiptokens.decode(req.query.$skiptoken)

  /** Only the selected properties (and the type annotation); malformed explicit records pass as they are. */
  const project = (device: unknown, select: string[] | null): unknown => {
    if (select === null || typeof device !== 'object' || device === null || Array.isArray(device)) return device
    const record = device as Record<string, unknown>
    const projected: Record<string, unknown> = { '@odata.type': record['@odata.type'] }
    for (const key of select) if (key in record) projected[key] = record[key]
    return projected
  }

  function listDevices (req: FakeRequest): FakeReply {
    const params = req.searchParams
    const select = params.has('$select') ? (params.get('$select') ?? '').split(',').map(s => s.trim()).filter(s => s !== '') : null
    const unknown = select?.find(name => !PROPERTIES.has(name))
    if (unknown !== undefined) return reply(400, graphError('BadRequest', `Could not find a property named '${unknown}' on type 'microsoft.graph.managedDevice'.`))
    const top = params.has('$top') ? Number(params.get('$top')) : pageLimit
    if (!Number.isInteger(top) || top < 1) return reply(400, graphError('BadRequest', `Invalid value '${params.get('$top') ?? ''}' for $top query option found.`))
    const context = `https://${req.host}/v1.0/$metadata#deviceManagement/managedDevices`

    if (params.has('$filter')) {
      const serial = serialFilter(params.get('$filter') ?? '')
      if (serial === null) return reply(400, graphError('BadRequest', 'Invalid filter clause: only serialNumber eq \'…\' is supported by this fake.'))
      const generated = indexOfSerial(serial, fleet)
      const explicit = devices.filter(d => typeof (d as { serialNumber?: unknown })?.serialNumber === 'string' &&
        (d as { serialNumber: string }).serialNumber.toLowerCase() === serial.toLowerCase())
      const matches = [...(generated === null ? [] : [generatedDevice(generated, fleet)]), ...explicit].slice(0, Math.min(top, pageLimit))
      return reply(200, { '@odata.context': context, value: matches.map(d => project(d, select)) })
    }

    const offset = offsetOf(req)
    if (offset === null) return reply(400, graphError('BadRequest', 'The $skiptoken is invalid.'))
    const total = fleet.size + devices.length
    const size = Math.min(top, pageLimit)
    const body: Record<string, unknown> = { '@odata.context': context, value: pageOf(total, offset, size, i => project(deviceAt(i), select)) }
    if (offset + size < total) {
      const next = new URLSearchParams([...params].filter(([name]) => name !== '$skiptoken'))
      next.set('$skiptoken', skiptokens.encode(offset + size))
      body['@odata.nextLink'] = linkOnCalledHost(req, DEVICES_PATH, next)
    }
    return reply(200, body)
  }

  vendor.route('GET', DEVICES_PATH, listDevices, {
    guard: req => oauth.guard(req) ?? (options.permissionGranted !== false
      ? null
      : reply(403, graphError('Forbidden', 'Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All')))
  })

  const fail = (route?: string, when?: (req: FakeRequest) => boolean): Fail => (status, body, headers, times) => vendor.failNext({ status, body, headers, times, route, when })
  return {
    url: vendor.url,
    settings: {
      tenantId: TENANT_ID,
      clientId: CLIENT_ID,
      clientSecret: options.rejectCredentials === true ? 'not-the-secret-value' : oauth.clientSecret,
      loginHost: 'login.microsoftonline.com',
      graphHost: 'graph.microsoft.com'
    },
    tenantDomain: TENANT_DOMAIN,
    fleet,
    devices,
    requests: vendor.requests,
    failNext: fail(),
    failTokenNext: fail('token'),
    failPage: (start, ...failure) => { fail(undefined, req => req.query.$filter === undefined && offsetOf(req) === start)(...failure) },
    expireTokens: oauth.expireTokens,
    close: vendor.close
  }
}
