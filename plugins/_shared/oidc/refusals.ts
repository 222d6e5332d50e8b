// What went wrong in an OpenID Connect sign-in, as a SignInFailure: a precise `reason` for the audit
// log and a plain `message` for the person. openid-client's errors carry a code and, for a JWT
// claim, the claim; the provider's refusals (on the callback or from the token endpoint) carry an
// OAuth error and its description, which a vendor may explain in its own words (Entra: AADSTS).
import * as client from 'openid-client'
import type { SignInFailure } from '../../../core/sdk.ts'

/** An OAuth error as the provider sent it: the callback's parameters or the token endpoint's body. */
export interface ProviderError {
  error: string
  error_description?: string
  error_codes?: unknown
  /** Where it came from: the authorization response (callback) or the token endpoint. */
  at: 'callback' | 'token'
}

export interface ProviderWords {
  /** The provider as people know it: "Google", "Microsoft". */
  name: string
  /** The vendor's own reading of an error (Entra's AADSTS codes); null leaves it to the generic words. */
  explain?: (error: ProviderError) => SignInFailure | null
}

/** oauth4webapi's error codes, which openid-client's ClientError carries (not re-exported by it). */
const CODES = {
  timestamp: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  claim: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  keySelection: 'OAUTH_KEY_SELECTION_FAILED',
  invalidResponse: 'OAUTH_INVALID_RESPONSE',
  attribute: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'
} as const

export const refuse = (reason: string, message: string): SignInFailure => ({ ok: false, reason, message })

const AGAIN = 'Start the sign-in again from the sign-in page.'

/** The provider's description, first line only, without the trace ids some append. */
export function firstLine (description: string | undefined): string {
  return (description ?? '').split(/\r?\n| Trace ID:/)[0].trim().slice(0, 300)
}

/** The generic reading of a provider's OAuth error. */
function providerError (words: ProviderWords, error: ProviderError): SignInFailure {
  const own = words.explain?.(error) ?? null
  if (own !== null) return own
  const said = firstLine(error.error_description)
  const why = said === '' ? error.error : `${error.error}: ${said}`
  if (error.at === 'callback') {
    if (error.error === 'access_denied') return refuse('access_denied', `${words.name} did not sign you in (${why}). ${AGAIN}`)
    return refuse('provider_error', `${words.name} refused the sign-in (${why}).`)
  }
  if (error.error === 'invalid_grant') {
    if (/verifier|pkce/i.test(said)) return refuse('pkce_mismatch', `${words.name} refused the sign-in: this browser's proof did not match the one the sign-in started with. ${AGAIN}`)
    if (/already (been )?(used|redeemed|consumed)/i.test(said)) return refuse('code_replayed', `This sign-in was already used. ${AGAIN}`)
    return refuse('invalid_grant', `${words.name} refused the sign-in code (${why}): it was already used, it expired, or it was issued for another sign-in. ${AGAIN}`)
  }
  if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
    return refuse('client_rejected', `${words.name} refused this workspace's client ID or secret (${why}). Ask an administrator to check the sign-in settings.`)
  }
  return refuse('provider_error', `${words.name} refused the sign-in (${why}).`)
}

function oauthCause (err: unknown): Record<string, unknown> {
  const cause = (err as { cause?: { cause?: unknown } }).cause?.cause
  return typeof cause === 'object' && cause !== null ? cause as Record<string, unknown> : {}
}

/** A thrown error of openid-client (or of ctx.http under it) as a refusal. */
export function refusalOf (err: unknown, words: ProviderWords): SignInFailure {
  if (err instanceof client.AuthorizationResponseError) {
    return providerError(words, { error: err.error, error_description: err.error_description, at: 'callback' })
  }
  if (err instanceof client.ResponseBodyError) {
    const body = err.cause as Record<string, unknown>
    return providerError(words, { error: err.error, error_description: err.error_description, error_codes: body.error_codes, at: 'token' })
  }
  if (err instanceof client.ClientError) {
    const detail = err.cause instanceof Error ? err.cause.message : err.message
    const claim = oauthCause(err).claim
    switch (err.code) {
      case CODES.timestamp:
        return claim === 'exp'
          ? refuse('expired', `${words.name}'s sign-in token has expired. ${AGAIN}`)
          : refuse('not_yet_valid', `${words.name}'s sign-in token is not valid yet or too old (${String(claim)}): check that this server's clock is right.`)
      case CODES.claim:
        if (claim === 'nonce') return refuse('bad_nonce', `The sign-in token from ${words.name} was not issued for this sign-in. ${AGAIN}`)
        if (claim === 'aud' || claim === 'azp') return refuse('wrong_audience', `The sign-in token from ${words.name} was issued to another application, not to this workspace.`)
        if (claim === 'iss') return refuse('wrong_issuer', `The sign-in token was not issued by the ${words.name} this workspace trusts.`)
        return refuse('invalid_token', `The sign-in token from ${words.name} failed a check (${detail}).`)
      case CODES.keySelection:
        return refuse('bad_signature', `The sign-in token is not signed with a key of ${words.name}.`)
      case CODES.invalidResponse:
        if (/"state"/.test(detail)) return refuse('bad_state', `The answer from ${words.name} does not belong to this sign-in. ${AGAIN}`)
        if (/"iss"/.test(detail)) return refuse('wrong_issuer', `The answer did not come from the ${words.name} this workspace trusts. ${AGAIN}`)
        if (/signature/i.test(detail)) return refuse('bad_signature', `The sign-in token's signature is not ${words.name}'s.`)
        return refuse('invalid_response', `${words.name} sent an answer that is not valid (${detail}).`)
      case CODES.attribute:
        return refuse('wrong_issuer', `${words.name}'s discovery document names another issuer than the one configured (${detail}).`)
    }
  }
  const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
  return refuse('provider_unavailable', `${words.name} could not be reached to finish the sign-in (${firstLine(why)}). Try again in a moment.`)
}
