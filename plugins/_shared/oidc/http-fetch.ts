// openid-client's customFetch over ctx.http: every call openid-client makes (discovery, keys, the
// token request) keeps the plugin's allowedHosts, the private-address guard, rate limits, retries
// and the audit entry. The discovery document is answered from ctx.cache when a recent copy is
// there (the signing keys are cached by configuration.ts through openid-client's own JWKS cache,
// which fetches them again when a token names a key it does not hold).
import type { ConnectorContext, HttpMethod } from '../../../core/sdk.ts'
import type { CustomFetch } from 'openid-client'

/** What the OIDC code needs of a plugin's ctx: its HTTP client and its cache. */
export type OidcContext = Pick<ConnectorContext, 'http' | 'cache'>

/** How long a discovery document is kept. */
export const METADATA_TTL_SECONDS = 3600

/** Every status is openid-client's to read, but 429 and 5xx, which ctx.http retries first. */
const ANSWERS = Array.from({ length: 400 }, (_, i) => 100 + i).filter(status => status !== 429)

interface CachedResponse { status: number, contentType: string, body: string }

const isDiscovery = (url: URL): boolean => url.pathname.endsWith('/.well-known/openid-configuration')

function formOf (body: unknown): Record<string, string> | undefined {
  if (body === undefined || body === null) return undefined
  if (body instanceof URLSearchParams) return Object.fromEntries(body)
  throw new TypeError('openid-client sent a body other than a form, which ctx.http does not send')
}

/** The headers openid-client sets that matter to the provider (ctx.http sets content-type for a form). */
function headersOf (headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => /^(accept|authorization|dpop)$/i.test(name)))
}

export function httpFetch (ctx: OidcContext): CustomFetch {
  return async (href, options) => {
    const url = new URL(href)
    const cacheKey = `oidc-discovery:${url.href}`
    const cacheable = (options.method ?? 'GET') === 'GET' && isDiscovery(url)
    const cached = cacheable ? await ctx.cache.get<CachedResponse>(cacheKey) : undefined
    if (cached !== undefined) return new Response(cached.body, { status: cached.status, headers: { 'content-type': cached.contentType } })

    const response = await ctx.http.request({
      method: (options.method ?? 'GET') as HttpMethod,
      url: url.href,
      headers: headersOf(options.headers),
      form: formOf(options.body),
      auth: 'none',
      expect: ANSWERS
    })
    const contentType = response.headers['content-type'] ?? 'application/octet-stream'
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body)
    if (cacheable && response.status === 200) await ctx.cache.set(cacheKey, { status: 200, contentType, body }, METADATA_TTL_SECONDS)
    return new Response(response.status === 204 ? null : body, { status: response.status, headers: { 'content-type': contentType } })
  }
}
