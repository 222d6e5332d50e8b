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

export function createTokenSource (config: OAuth2ClientCredentials, send: TokenSender): TokenSource {
  let cached: { token: string, refreshAt: number } | null = null
  let inFlight: Promise<string> | null = null

  async function fetchToken (): Promise<string> {
    const form: Record<string, string> = { grant_type: 'client_credentials' }
    if (config.scope !== undefined && config.scope !== '') form.scope = config.scope
    const headers: Record<string, string> = { accept: 'application/json' }
    if (config.clientAuth === 'basic') {
      headers.authorization = basic(config.clientId, config.clientSecret)
    } else {
      form.client_id = config.clientId
      form.client_secret = config.clientSecret
    }
    let res: HttpResponse
    try {
      res = await send({ method: 'POST', url: config.tokenUrl, form, headers, auth: 'none' })
    } catch (err) {
      // 5xx or 429 after the retries: still a token error, with the vendor's words
      if (err instanceof HttpStatusError) throw new OAuth2TokenError(err.status, err.url, redact(err.body, config.clientSecret))
      throw err
    }
    const body = res.body as Record<string, unknown> | string | null
    const token = typeof body === 'object' && body !== null ? body.access_token : undefined
    if (res.status >= 300 || typeof token !== 'string' || token === '') {
      throw new OAuth2TokenError(res.status, res.url, redact(res.body, config.clientSecret))
    }
    const expiresIn = typeof body === 'object' && body !== null ? Number(body.expires_in) : NaN
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S) * 1000
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2)
    cached = { token, refreshAt: Date.now() + lifetimeMs - margin }
    return token
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
