// An OAuth 2.0 token endpoint for a plugin's fake: the client-credentials grant, and the
// authorization-code grant (with PKCE S256) and refresh tokens (rotated), as RFC 6749 and 7636
// describe them; switches to expire every token issued and to refuse sign-ins; a guard for the
// vendor's API routes that accepts only live access tokens. Refusals are RFC 6749 error bodies
// unless the vendor shapes its own (`refusal`).
import { createHash, randomBytes } from 'node:crypto'
import type { FakeGuard, FakeReply, FakeRequest, FakeVendor } from './fake-vendor.ts'

export type OAuthGrant = 'client_credentials' | 'authorization_code' | 'refresh_token'

/** Why the endpoint refuses: the RFC 6749 error, and which check failed. */
export type OAuthRefusal =
  | 'unsupported_grant_type' | 'unknown_client' | 'invalid_secret' | 'invalid_grant' | 'invalid_request' | 'refused'

export interface OAuthEndpointOptions {
  tokenPath: string | RegExp
  /** Where the admin is sent to consent (authorization code); it consents at once unless `denyConsent()`. */
  authorizePath?: string
  clientId?: string
  clientSecret?: string
  grants?: OAuthGrant[]
  /** expires_in of access tokens. Default 3600. */
  lifetimeSeconds?: number
  /** The access token's text before its random part (e.g. 'eyJ' for a JWT-looking token). */
  tokenPrefix?: string
  /** Extra fields of a token response (e.g. scope, ext_expires_in). */
  responseFields?: Record<string, unknown>
  /** A vendor's own checks of a token request, before the endpoint's (e.g. the tenant in the path, the scope). */
  check?: (req: FakeRequest, form: URLSearchParams) => FakeReply | null
  /** The vendor's reply to a refusal. Default: RFC 6749 ({ error }, 400; 401 for a client that fails to authenticate). */
  refusal?: (why: OAuthRefusal, req: FakeRequest) => FakeReply
  /** The vendor's 401 for an API request without a live token. */
  unauthorized?: (req: FakeRequest, token: string | undefined) => FakeReply
}

export interface OAuthEndpoint {
  clientId: string
  clientSecret: string
  /** For route(…, { guard: oauth.guard }): refuses a request without a live access token. */
  guard: FakeGuard
  /** Token requests received (every grant). */
  tokenRequests: () => FakeRequest[]
  /** Every access token issued so far is refused from now on (refresh tokens stay valid). */
  expireTokens: () => void
  /** Every refresh token issued so far is refused from now on (the admin must consent again). */
  expireRefreshTokens: () => void
  /** Refuse every token request (of one grant, when given) with `why` until accept(). */
  refuse: (why?: OAuthRefusal, grant?: OAuthGrant) => void
  accept: () => void
  /** The authorize step redirects with error=access_denied from now on. */
  denyConsent: () => void
  /** Live access tokens. */
  isLive: (token: string) => boolean
}

const random = (bytes = 24): string => randomBytes(bytes).toString('base64url')

function defaultRefusal (why: OAuthRefusal): FakeReply {
  const error = why === 'unknown_client' || why === 'invalid_secret' ? 'invalid_client' : why === 'refused' ? 'invalid_grant' : why
  return { status: error === 'invalid_client' ? 401 : 400, body: { error } }
}

/** client_secret_basic or client_secret_post, as RFC 6749 §2.3.1 allows. */
function clientOf (req: FakeRequest, form: URLSearchParams): { id: string | null, secret: string | null } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (basic !== undefined) {
    const text = Buffer.from(basic, 'base64').toString()
    const colon = text.indexOf(':')
    const decode = (part: string): string | null => { try { return decodeURIComponent(part) } catch { return null } }
    return colon === -1 ? { id: decode(text), secret: null } : { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) }
  }
  return { id: form.get('client_id'), secret: form.get('client_secret') }
}

export function addOAuthEndpoint (vendor: FakeVendor, options: OAuthEndpointOptions): OAuthEndpoint {
  const clientId = options.clientId ?? random(12)
  const clientSecret = options.clientSecret ?? random()
  const grants = new Set(options.grants ?? ['client_credentials'])
  const lifetime = options.lifetimeSeconds ?? 3600
  const refusal = options.refusal ?? defaultRefusal
  const access = new Map<string, number>() // token -> expiry (ms)
  const refresh = new Set<string>()
  const codes = new Map<string, { redirectUri: string, challenge: string | null }>()
  let refusing: { why: OAuthRefusal, grant?: OAuthGrant } | null = null
  let consent = true

  function issue (withRefresh: boolean): FakeReply {
    const token = `${options.tokenPrefix ?? ''}${random()}`
    access.set(token, Date.now() + lifetime * 1000)
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: lifetime, ...options.responseFields }
    if (withRefresh) {
      const next = random()
      refresh.add(next)
      body.refresh_token = next
    }
    return { status: 200, body }
  }

  function token (req: FakeRequest): FakeReply {
    const form = new URLSearchParams(req.body)
    const vendorRefusal = options.check?.(req, form)
    if (vendorRefusal != null) return vendorRefusal
    const grant = form.get('grant_type') as OAuthGrant
    if (!grants.has(grant)) return refusal('unsupported_grant_type', req)
    const client = clientOf(req, form)
    if (client.id !== clientId) return refusal('unknown_client', req)
    if (client.secret !== clientSecret) return refusal('invalid_secret', req)
    if (refusing !== null && (refusing.grant === undefined || refusing.grant === grant)) return refusal(refusing.why, req)
    if (grant === 'client_credentials') return issue(false)
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? ''
      if (!refresh.delete(presented)) return refusal('invalid_grant', req) // rotated: a refresh token is used once
      return issue(true)
    }
    const code = codes.get(form.get('code') ?? '')
    codes.delete(form.get('code') ?? '')
    if (code === undefined || code.redirectUri !== form.get('redirect_uri')) return refusal('invalid_grant', req)
    const verifier = form.get('code_verifier')
    if (code.challenge !== null && (verifier === null || createHash('sha256').update(verifier).digest('base64url') !== code.challenge)) {
      return refusal('invalid_grant', req)
    }
    return issue(true)
  }

  vendor.route('POST', options.tokenPath, token, { name: 'token', injectable: false })
  if (options.authorizePath !== undefined) {
    vendor.route('GET', options.authorizePath, req => {
      const { client_id: id, redirect_uri: redirectUri, state, code_challenge: challenge, code_challenge_method: method, response_type: type } = req.query
      if (id !== clientId || redirectUri === undefined || type !== 'code') return { status: 400, body: 'invalid authorization request' }
      if (challenge !== undefined && method !== 'S256') return { status: 400, body: 'only S256 code challenges' }
      const back = new URL(redirectUri)
      if (state !== undefined) back.searchParams.set('state', state)
      if (!consent) {
        back.searchParams.set('error', 'access_denied')
      } else {
        const code = random()
        codes.set(code, { redirectUri, challenge: challenge ?? null })
        back.searchParams.set('code', code)
      }
      return { status: 302, headers: { location: back.href } }
    }, { name: 'authorize', injectable: false })
  }

  const unauthorized = options.unauthorized ?? (() => ({ status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }))
  const isLive = (t: string): boolean => (access.get(t) ?? 0) > Date.now()
  return {
    clientId,
    clientSecret,
    guard: req => {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      return bearer !== undefined && isLive(bearer) ? null : unauthorized(req, bearer)
    },
    tokenRequests: () => vendor.requestsTo('token'),
    expireTokens: () => { access.clear() },
    expireRefreshTokens: () => { refresh.clear() },
    refuse: (why = 'refused', grant) => { refusing = { why, grant } },
    accept: () => { refusing = null },
    denyConsent: () => { consent = false },
    isLive
  }
}
