// What a thrown error means for the admin: the one mapping from errors to TestResult reasons and
// to words ("Jamf Pro could not be reached (acme.jamfcloud.com not found)"), used by connectors'
// test() and by the core when a capability throws or a run fails.
import { OAuth2TokenError, RequestTimeoutError } from '../integrations/http.ts'
import { AddressNotAllowedError, HostNotAllowedError, HttpStatusError, RetryLaterError } from '../integrations/http-types.ts'
import { ConnectorError, type FailureReason, type TestResult } from './contract.ts'

export function failureReason (err: unknown): FailureReason {
  if (err instanceof ConnectorError) return err.reason
  if (err instanceof HostNotAllowedError || err instanceof AddressNotAllowedError) return 'config'
  if (err instanceof OAuth2TokenError) return err.status >= 500 || err.status === 429 ? 'network' : 'auth'
  if (err instanceof HttpStatusError) {
    if (err.status === 401) return 'auth'
    if (err.status === 403) return 'permission'
    if (err.status === 429 || err.status >= 500) return 'network'
    return 'config'
  }
  if (err instanceof RetryLaterError) return 'network'
  if (err instanceof TypeError && /invalid url/i.test(err.message)) return 'config'
  return 'network'
}

/** Who the words name when the caller does not say: the core puts the plugin's name in its place (namedVendor). */
export const UNNAMED_VENDOR = 'The vendor'

/** Words that begin with UNNAMED_VENDOR (a plugin's testResultFromError(err) without its name) with the plugin's name instead. */
export const namedVendor = (message: string, name: string): string =>
  message.startsWith(`${UNNAMED_VENDOR} `) ? `${name}${message.slice(UNNAMED_VENDOR.length)}` : message

interface SystemError { code?: unknown, hostname?: unknown, address?: unknown, port?: unknown, message?: unknown, cause?: unknown }

/** The error, or the first of its causes, that carries a system or undici error code. */
function coded (err: unknown): SystemError | null {
  for (let e = err as SystemError | undefined, depth = 0; e !== undefined && e !== null && depth < 5; e = e.cause as SystemError | undefined, depth++) {
    if (typeof e === 'object' && typeof e.code === 'string') return e
  }
  return null
}

/** The host an error names: its hostname or address, else the one in its message ("getaddrinfo ENOTFOUND acme.example.com"). */
function hostOf (e: SystemError): string {
  if (typeof e.hostname === 'string' && e.hostname !== '') return e.hostname
  if (typeof e.address === 'string') return typeof e.port === 'number' ? `${e.address}:${e.port}` : e.address
  const named = /\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\s+(\S+)/.exec(String(e.message ?? ''))
  return named?.[1] ?? 'the server'
}

const hostOfUrl = (url: string): string => { try { return new URL(url).host } catch { return url } }

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const CUT_OFF_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])

/**
 * A failure in words an admin can act on, naming the vendor and the host: network errors (name not
 * found, connection refused, cut off, timed out) and the HTTP answers worth words (401, 403, 429,
 * 5xx). A connector's own ConnectorError, and a token endpoint's refusal (which carries the
 * vendor's explanation), keep their messages; anything else keeps its message too.
 */
export function failureWords (err: unknown, vendor = UNNAMED_VENDOR): string {
  if (err instanceof ConnectorError || err instanceof HostNotAllowedError || err instanceof AddressNotAllowedError) return err.message
  if (err instanceof OAuth2TokenError && err.status < 500 && err.status !== 429) return err.message
  if (err instanceof HttpStatusError) {
    // A token endpoint's own error code ("temporarily_unavailable") is worth keeping.
    const code = err instanceof OAuth2TokenError && err.error !== undefined ? `: ${err.error}` : ''
    const from = `HTTP ${err.status} from ${hostOfUrl(err.url)}${code}`
    if (err.status === 401) return `${vendor} refused the saved credentials (${from}): check them and save again`
    if (err.status === 403) return `${vendor} refused access (${from}): the account or API client lacks a permission`
    if (err.status === 429) return `${vendor} is limiting requests (${from})`
    if (err.status >= 500) return `${vendor} had a server error (${from})`
    return err.message
  }
  if (err instanceof RetryLaterError) return err.message.startsWith('rate limited;') ? `${vendor} asked Stocktake to slow down (rate limited)` : err.message
  if (err instanceof RequestTimeoutError) return `${vendor} did not answer in time (${hostOfUrl(err.url)}, after ${Math.round(err.timeoutMs / 1000)} s)`
  const e = coded(err)
  if (e !== null) {
    const code = String(e.code)
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${vendor} could not be reached (${hostOf(e)} not found)`
    if (code === 'ECONNREFUSED') return `${vendor} could not be reached (${hostOf(e)} refused the connection)`
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${vendor} could not be reached (no route to ${hostOf(e)})`
    if (CUT_OFF_CODES.has(code)) return `${vendor} could not be reached (the connection was cut off)`
    if (TIMEOUT_CODES.has(code)) return `${vendor} did not answer in time`
  }
  if (err instanceof Error && err.name === 'TimeoutError') return `${vendor} did not answer in time`
  return err instanceof Error ? err.message : String(err)
}

/** A failed TestResult for an error thrown while testing the connection; `vendor` names it in the words. */
export function testResultFromError (err: unknown, vendor?: string): TestResult & { ok: false } {
  return { ok: false, reason: failureReason(err), message: failureWords(err, vendor) }
}
