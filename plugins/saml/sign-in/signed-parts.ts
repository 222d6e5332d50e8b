// Which parts of the Response carry a signature, against what the IdP record says it signs, so that
// a mismatch is refused with words that say what to change (node-saml only says "Invalid signature").
// Whether the signatures verify is node-saml's job; this only looks for them.
import type { Idp } from '../idps/types.ts'
import { DSIG, childrenNamed, type ReceivedResponse } from './document.ts'
import { Refusal } from './refusals.ts'

export function requireSignedParts (received: ReceivedResponse, idp: Idp): void {
  if (idp.signedPart === 'response' && received.signatures.length === 0) {
    throw new Refusal('unsigned_response', `${idp.displayName} is set up as signing the whole Response, but this Response is not signed. Have the IdP sign the Response, or set this IdP's Signed part to "Only the Assertion".`)
  }
  // Several assertions are node-saml's to refuse (a wrapping attempt); one must carry its own signature.
  if (received.assertions.length === 1 && childrenNamed(received.assertions[0], DSIG, 'Signature').length === 0) {
    throw new Refusal('unsigned_assertion', `${idp.displayName} signed the Response but not the Assertion; Stocktake requires the Assertion signed. Have the IdP sign the Assertion (or both).`)
  }
}
