// What a thrown error means for the admin: the one mapping from errors to TestResult reasons,
// used by connectors' test() and by the core when a capability throws.
import { OAuth2TokenError } from '../integrations/http.ts'
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

/** A failed TestResult for an error thrown while testing the connection. */
export function testResultFromError (err: unknown): TestResult & { ok: false } {
  const message = err instanceof Error ? err.message : String(err)
  return { ok: false, reason: failureReason(err), message }
}
