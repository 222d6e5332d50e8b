// An openid-client Configuration for one provider and client, built from the provider's discovery
// document (cached: http-fetch.ts) with every call over ctx.http, the ID token's signature checked
// against the provider's keys (enableNonRepudiationChecks: the code flow over TLS would allow
// skipping it, but a sign-in should not depend on that alone), and the keys kept in ctx.cache.
import * as client from 'openid-client'
import { httpFetch, type OidcContext } from './http-fetch.ts'

/** Seconds a token's exp/iat/nbf may be off: the provider's clock and ours. */
export const CLOCK_TOLERANCE_SECONDS = 60

export interface OidcClient {
  /**
   * The issuer (`https://accounts.google.com`, Entra's `https://login.microsoftonline.com/organizations/v2.0`)
   * or the discovery document's URL itself. openid-client checks an issuer against the document's;
   * a document's URL is checked by the caller (Entra single-tenant: expectedIssuer).
   */
  server: string
  clientId: string
  clientSecret: string
}

/** openid-client trusts a key set it was handed for five minutes, then fetches it again. */
const KEYS_TTL_SECONDS = 300

const jwksKey = (server: string): string => `oidc-jwks:${server}`

export async function oidcConfiguration (ctx: OidcContext, oidc: OidcClient): Promise<client.Configuration> {
  const config = await client.discovery(
    new URL(oidc.server),
    oidc.clientId,
    { client_secret: oidc.clientSecret, [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS },
    client.ClientSecretPost(oidc.clientSecret),
    { [client.customFetch]: httpFetch(ctx), execute: [client.enableNonRepudiationChecks] }
  )
  const keys = await ctx.cache.get<client.ExportedJWKSCache>(jwksKey(oidc.server))
  if (keys !== undefined) client.setJwksCache(config, keys)
  return config
}

/** Keeps the keys openid-client fetched (or still holds) for the next sign-in. */
export async function keepKeys (ctx: OidcContext, oidc: OidcClient, config: client.Configuration): Promise<void> {
  const keys = client.getJwksCache(config)
  if (keys !== undefined) await ctx.cache.set(jwksKey(oidc.server), keys, KEYS_TTL_SECONDS)
}
