// The two halves of an OpenID Connect sign-in (authorization code with PKCE S256, state and nonce)
// for a sign-in plugin: where to send the browser, and the verified ID token claims of the answer.
//
// The core sends the attempt's `state` and keeps what start returns (the PKCE verifier and the
// nonce) sealed with the attempt, so finish checks the answer against exactly this browser's
// attempt. The authorization response's `iss` is checked when the provider sends it (Google does)
// and not required otherwise (Entra sends none and does not advertise it): each plugin and method
// has a callback URL of its own, so an answer cannot arrive at the callback of another provider.
import * as client from 'openid-client'
import type { SignInCallback, SignInFailure, SignInRedirect } from '../../../core/sdk.ts'
import type { OidcContext } from './http-fetch.ts'
import { keepKeys, oidcConfiguration, type OidcClient } from './configuration.ts'
import { refusalOf, refuse, type ProviderWords } from './refusals.ts'

export interface AuthorizationRequest {
  callbackUrl: string
  state: string
  scope: string
  /** Provider-specific parameters (Google's `hd` hint, `prompt`). */
  extra?: Record<string, string>
}

export async function startSignIn (ctx: OidcContext, oidc: OidcClient, request: AuthorizationRequest): Promise<SignInRedirect> {
  const config = await oidcConfiguration(ctx, oidc)
  const verifier = client.randomPKCECodeVerifier()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    ...request.extra,
    response_type: 'code',
    redirect_uri: request.callbackUrl,
    scope: request.scope,
    state: request.state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256'
  })
  return { url: url.href, secrets: { verifier, nonce } }
}

export type ClaimsResult = { ok: true, claims: client.IDToken } | SignInFailure

/**
 * The answer's ID token claims, once openid-client has checked the state, the provider's `iss`,
 * the code exchange with the PKCE verifier, and the ID token's signature, issuer, audience, expiry
 * and nonce. What the claims say about the person (domain, tenant, verified email) is the plugin's
 * to check.
 */
export async function finishSignIn (ctx: OidcContext, oidc: OidcClient, callback: SignInCallback, words: ProviderWords): Promise<ClaimsResult> {
  const { attempt, params } = callback
  if (attempt === null) return refuse('unsolicited', `${words.name} sent a sign-in this browser did not start. Start the sign-in from the sign-in page.`)
  const { verifier, nonce } = attempt.secrets
  if (typeof verifier !== 'string' || typeof nonce !== 'string') return refuse('bad_state', 'This sign-in attempt is incomplete. Start the sign-in again from the sign-in page.')
  if (params.state !== attempt.state) return refuse('bad_state', `The answer from ${words.name} does not belong to this sign-in. Start the sign-in again from the sign-in page.`)
  const answer = new URL(callback.callbackUrl)
  for (const [name, value] of Object.entries(params)) answer.searchParams.set(name, value)
  try {
    const config = await oidcConfiguration(ctx, oidc)
    const tokens = await client.authorizationCodeGrant(config, answer, { pkceCodeVerifier: verifier, expectedState: attempt.state, expectedNonce: nonce, idTokenExpected: true })
    await keepKeys(ctx, oidc, config)
    const claims = tokens.claims()
    if (claims === undefined) return refuse('invalid_response', `${words.name} answered without an ID token.`)
    return { ok: true, claims }
  } catch (err) {
    return refusalOf(err, words)
  }
}
