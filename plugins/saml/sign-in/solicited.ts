// Whether a Response answers the request this browser's attempt sent (SP-initiated), or arrived
// unasked (IdP-initiated: only when the IdP record allows it, and only without any InResponseTo).
import type { SignInCallback } from '../../../core/sdk.ts'
import type { Idp } from '../idps/types.ts'
import { Refusal } from './refusals.ts'

export function checkInResponseTo (attempt: SignInCallback['attempt'], idp: Idp, inResponseTo: { response?: string, assertion?: string }): void {
  const given = [inResponseTo.response, inResponseTo.assertion].filter((id): id is string => id !== undefined && id !== '')
  if (attempt !== null) {
    const expected = attempt.secrets.requestId
    if (!expected || given.length === 0 || given.some(id => id !== expected)) {
      throw new Refusal('in_response_to_mismatch', 'This answer does not belong to the sign-in this browser started. Sign in again.')
    }
    return
  }
  if (!idp.allowIdpInitiated) {
    throw new Refusal('unsolicited', `Signing in from ${idp.displayName}'s app list is not allowed for this workspace: start from Stocktake's sign-in page.`)
  }
  if (given.length > 0) {
    throw new Refusal('unsolicited', 'This answer is for a sign-in this browser did not start, or one that has expired. Sign in again.')
  }
}
