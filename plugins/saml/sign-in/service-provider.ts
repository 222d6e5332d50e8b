// node-saml configured for one IdP of the workspace, for the AuthnRequest (start) and for the
// Response (finish). node-saml's defaults that bite are overridden here, each for a reason:
// SHA-1 request signatures, a zero clock skew, a Response signature required of every IdP, and an
// in-process InResponseTo cache (we keep the request ID with the core's attempt instead).
import { randomBytes } from 'node:crypto'
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml'
import type { Idp } from '../idps/types.ts'

/** A few minutes either way: an IdP's clock a little ahead or behind is not a refusal. */
export const CLOCK_SKEW_MS = 3 * 60 * 1000

/**
 * The SP entity ID for an IdP is the method's start URL: the callback URL minus `/callback`
 * (core/auth/sso/paths.ts), so every IdP of the workspace sees an entity ID of its own.
 */
export function serviceProviderEntityId (callbackUrl: string): string {
  if (!callbackUrl.endsWith('/callback')) throw new Error(`Not a sign-in callback URL: ${callbackUrl}`)
  return callbackUrl.slice(0, -'/callback'.length)
}

/** An AuthnRequest ID: an xs:ID (must not start with a digit), 160 random bits. */
export const newRequestId = (): string => `_${randomBytes(20).toString('hex')}`

export function serviceProviderFor (idp: Idp, callbackUrl: string, spPrivateKey: string, requestId?: string): SAML {
  const entityId = serviceProviderEntityId(callbackUrl)
  return new SAML({
    issuer: entityId,
    audience: entityId,
    callbackUrl,
    entryPoint: idp.ssoUrl,
    idpCert: idp.certificates,
    idpIssuer: idp.entityId,
    // The request is signed with the SP key, SHA-256 (node-saml's default is SHA-1).
    privateKey: spPrivateKey,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    decryptionPvk: spPrivateKey,
    generateUniqueId: () => requestId ?? newRequestId(),
    // No NameIDPolicy format and no RequestedAuthnContext: the IdP picks its configured NameID, and
    // an "exact PasswordProtectedTransport" would refuse people who signed in with MFA or Windows auth.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    wantAuthnResponseSigned: idp.signedPart === 'response',
    wantAssertionsSigned: true,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // InResponseTo is checked by finish against the request ID the core kept with the attempt
    // (shared by every web node), not by node-saml's per-process cache.
    validateInResponseTo: ValidateInResponseTo.never
  })
}
