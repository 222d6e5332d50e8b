// OAuth2 client-credentials tokens: fetched on demand, shared by concurrent requests, cached until
// shortly before expiry, dropped when the API answers 401.
import { HttpStatusError } from '../http-types.ts'
import type { HttpClient, HttpRequest, HttpResponse, OAuth2ClientCredentials, PageOptions, PaginationScheme } from '../http-types.ts'
import { OAuth2TokenError, redact } from './errors.ts'

/** Refresh this long before expires_in runs out (half the lifetime for tokens shorter than twice that). */
export const EXPIRY_MARGIN_MS = 60_000
/** Lifetime assumed when the token endpoint leaves out expires_in. */
const DEFAULT_LIFETIME_S = 3600

/**
 * Sends the token request through the client's own request path (host check, retries, onCall),
 * answering every status below 500 except 429 instead of throwing.
 */
export type TokenSender = (req: HttpRequest) => Promise<HttpResponse>

export interface TokenSource {
  /** A valid access token, from the cache or from one shared in-flight fetch. */
  get: () => Promise<string>
  /** Forget `token` (if it is still the cached one) after the API rejected it. */
  invalidate: (token: string) => void
}

function basic (id: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')
}

/** Redacts each of `secrets` (the client secret, a code or refresh token sent) from a body. */
const redactAll = (body: unknown, secrets: string[]): unknown => secrets.reduce((value, secret) => redact(value, secret), body)

/** The client's authentication on a token or revocation request: HTTP Basic, or the id and secret in the form. */
export function clientAuthenticated (config: OAuth2ClientCredentials, form: Record<string, string>): HttpRequest {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (config.clientAuth === 'basic') {
    headers.authorization = basic(config.clientId, config.clientSecret)
    return { method: 'POST', url: config.tokenUrl, form, headers, auth: 'none' }
  }
  return { method: 'POST', url: config.tokenUrl, form: { ...form, client_id: config.clientId, client_secret: config.clientSecret }, headers, auth: 'none' }
}

/** A token endpoint's answer: the access token, how long it lives, and the whole body (refresh_token, scope…). */
export interface TokenAnswer {
  accessToken: string
  lifetimeMs: number
  body: Record<string, unknown>
}

/**
 * Posts a grant to the token endpoint. A refusal, or an answer without an access token, is an
 * OAuth2TokenError with the vendor's words and `secrets` (and the client secret) redacted.
 */
export async function postTokenRequest (config: OAuth2ClientCredentials, send: TokenSender, form: Record<string, string>, secrets: string[] = []): Promise<TokenAnswer> {
  const hidden = [config.clientSecret, ...secrets]
  let res: HttpResponse
  try {
    res = await send(clientAuthenticated(config, form))
  } catch (err) {
    // 5xx or 429 after the retries: still a token error, with the vendor's words
    if (err instanceof HttpStatusError) throw new OAuth2TokenError(err.status, err.url, redactAll(err.body, hidden))
    throw err
  }
  const body = res.body as Record<string, unknown> | string | null
  const token = typeof body === 'object' && body !== null ? body.access_token : undefined
  if (res.status >= 300 || typeof token !== 'string' || token === '') {
    throw new OAuth2TokenError(res.status, res.url, redactAll(res.body, hidden))
  }
  const fields = body as Record<string, unknown>
  const expiresIn = Number(fields.expires_in)
  return { accessToken: token, lifetimeMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S) * 1000, body: fields }
}

/** When a token of this lifetime, fetched now, should be refreshed. */
export const refreshAt = (lifetimeMs: number, now = Date.now()): number => now + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2)

export function createTokenSource (config: OAuth2ClientCredentials, send: TokenSender): TokenSource {
  let cached: { token: string, refreshAt: number } | null = null
  let inFlight: Promise<string> | null = null

  async function fetchToken (): Promise<string> {
    const form: Record<string, string> = { grant_type: 'client_credentials' }
    if (config.scope !== undefined && config.scope !== '') form.scope = config.scope
    const answer = await postTokenRequest(config, send, form)
    cached = { token: answer.accessToken, refreshAt: refreshAt(answer.lifetimeMs) }
    return answer.accessToken
  }

  return {
    async get () {
      if (cached !== null && Date.now() < cached.refreshAt) return cached.token
      inFlight ??= fetchToken().finally(() => { inFlight = null })
      return await inFlight
    },
    invalidate (token) {
      if (cached?.token === token) cached = null
    }
  }
}

/**
 * ctx.http for a plugin that signs in but cannot for this workspace (a setting its oauth2 block
 * names is not set): a request that would carry the bearer fails with `notConfigured` rather than
 * going out unsigned; `auth: 'none'` requests go through. Without `notConfigured`, `client` itself.
 */
export function requireSignIn (client: HttpClient, notConfigured: Error | undefined): HttpClient {
  if (notConfigured === undefined) return client
  const check = (req: HttpRequest): void => {
    if (req.auth !== 'none') throw notConfigured
  }
  return {
    async request<T> (req: HttpRequest) {
      check(req)
      return await client.request<T>(req)
    },
    async * paginate<T> (req: HttpRequest, scheme: PaginationScheme<T>, options?: PageOptions) {
      check(req)
      yield * client.paginate<T>(req, scheme, options)
    },
    async * pages<T> (req: HttpRequest, scheme: PaginationScheme<T>, options?: PageOptions) {
      check(req)
      yield * client.pages<T>(req, scheme, options)
    }
  }
}
