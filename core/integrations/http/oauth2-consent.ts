// OAuth 2.0 authorization code with PKCE (RFC 6749 §4.1, RFC 7636 S256) and token revocation
// (RFC 7009), written over ctx.http's own request path (see docs/architecture.md): the authorize
// URL an admin is sent to, the code exchange, the refresh and the revocation.
import { createHash, randomBytes } from 'node:crypto'
import { ConnectorError } from '../../sdk/contract.ts'
import type { OAuth2ClientCredentials } from '../http-types.ts'
import { OAuth2TokenError } from './errors.ts'
import { clientAuthenticated, postTokenRequest, type TokenSender } from './oauth2.ts'

/** A manifest's authorization-code block for one workspace, its {{setting}}s filled in. */
export interface OAuth2Consent extends OAuth2ClientCredentials {
  authorizeUrl: string
  revocationUrl?: string
  authorizeParams: Record<string, string>
}

/** What the token endpoint handed out. `refreshToken` undefined: the vendor kept the one it had. */
export interface TokenSet {
  accessToken: string
  refreshToken?: string
  expiresAt: Date
  scope?: string
}

/** A client built without the core's stored consent tokens (a test context): signed requests fail rather than go out unsigned. */
export const noConsentTokens = (plugin: string | undefined): ConnectorError =>
  new ConnectorError('config', `${plugin ?? 'The integration'} signs in with an admin's consent, and this client has no consent tokens: connect it on its card.`)

const base64url = (bytes: Buffer): string => bytes.toString('base64url')

/** A fresh PKCE verifier (43 characters, 256 bits) and its S256 challenge. */
export function pkcePair (): { verifier: string, challenge: string } {
  const verifier = base64url(randomBytes(32))
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) }
}

/** A fresh `state` (256 bits); only its hash is stored. */
export const newState = (): string => base64url(randomBytes(32))
export const stateHash = (state: string): string => createHash('sha256').update(state).digest('hex')

/** The vendor's consent page for this attempt: the manifest's extra parameters, then the core's own. */
export function authorizationUrl (consent: OAuth2Consent, attempt: { state: string, challenge: string, redirectUri: string }): string {
  const url = new URL(consent.authorizeUrl)
  for (const [name, value] of Object.entries(consent.authorizeParams)) url.searchParams.set(name, value)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', consent.clientId)
  url.searchParams.set('redirect_uri', attempt.redirectUri)
  if (consent.scope !== undefined && consent.scope !== '') url.searchParams.set('scope', consent.scope)
  url.searchParams.set('state', attempt.state)
  url.searchParams.set('code_challenge', attempt.challenge)
  url.searchParams.set('code_challenge_method', 'S256')
  return url.href
}

/**
 * The vendor refused the grant itself (invalid_grant: the refresh token was revoked, expired or
 * already used; or the code was): only the admin's consent again helps.
 */
export const isGrantRefused = (err: unknown): err is OAuth2TokenError =>
  err instanceof OAuth2TokenError && err.status >= 400 && err.status < 500 && err.error === 'invalid_grant'

function tokenSet (answer: Awaited<ReturnType<typeof postTokenRequest>>, now = Date.now()): TokenSet {
  const refresh = answer.body.refresh_token
  const scope = answer.body.scope
  return {
    accessToken: answer.accessToken,
    ...(typeof refresh === 'string' && refresh !== '' ? { refreshToken: refresh } : {}),
    expiresAt: new Date(now + answer.lifetimeMs),
    ...(typeof scope === 'string' ? { scope } : {})
  }
}

/** Trades the callback's code, with the PKCE verifier, for tokens. */
export async function exchangeCode (consent: OAuth2Consent, send: TokenSender, attempt: { code: string, verifier: string, redirectUri: string }): Promise<TokenSet> {
  const form = { grant_type: 'authorization_code', code: attempt.code, redirect_uri: attempt.redirectUri, code_verifier: attempt.verifier }
  return tokenSet(await postTokenRequest(consent, send, form, [attempt.code, attempt.verifier]))
}

/** New tokens for a refresh token; a rotated refresh token comes back in the set. */
export async function refreshTokens (consent: OAuth2Consent, send: TokenSender, refreshToken: string): Promise<TokenSet> {
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken }
  return tokenSet(await postTokenRequest(consent, send, form, [refreshToken]))
}

/** RFC 7009: asks the vendor to revoke `token`; true when it answered 200 (an unknown token is 200 too). */
export async function revokeToken (consent: OAuth2Consent, send: TokenSender, token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
  if (consent.revocationUrl === undefined) return false
  const req = clientAuthenticated(consent, { token, token_type_hint: hint })
  const res = await send({ ...req, url: consent.revocationUrl })
  return res.status === 200
}
