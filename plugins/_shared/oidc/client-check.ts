// The `test` capability of an OIDC sign-in plugin: the provider's discovery document is reachable
// (through ctx.http, so allowedHosts and the address guard hold), and the token endpoint accepts the
// client ID and secret. The second is asked the only way a provider allows without a person signing
// in: a token request with a made-up code. `invalid_client` means the ID or secret is wrong;
// `invalid_grant` means the client was accepted and only the code refused, as expected.
import { randomBytes } from 'node:crypto'
import * as client from 'openid-client'
import type { TestResult } from '../../../core/sdk.ts'
import type { OidcContext } from './http-fetch.ts'
import { oidcConfiguration, type OidcClient } from './configuration.ts'
import { firstLine, refusalOf, type ProviderWords } from './refusals.ts'

/** Where the made-up code says it was sent: never reached. */
const PROBE_REDIRECT = 'https://stocktake.invalid/sign-in/sso/test/callback'

/** The provider's 4xx to the discovery request, in its words (Entra: "HTTP 400, AADSTS90002: Tenant … not found"); null for other failures. */
async function discoveryRefusal (err: unknown): Promise<string | null> {
  const response = err instanceof client.ClientError ? err.cause : undefined
  if (!(response instanceof Response) || response.status < 400 || response.status >= 500) return null
  const body = await response.clone().json().catch(() => null) as { error_description?: string } | null
  const said = firstLine(body?.error_description)
  return `HTTP ${response.status}${said === '' ? '' : `, ${said}`}`
}

export async function checkClient (ctx: OidcContext, oidc: OidcClient, words: ProviderWords): Promise<TestResult> {
  let config: client.Configuration
  try {
    config = await oidcConfiguration(ctx, oidc)
  } catch (err) {
    const refused = await discoveryRefusal(err)
    if (refused !== null) return { ok: false, reason: 'config', message: `${words.name} has no sign-in configuration at ${oidc.server} (${refused}). Check the settings that name it.` }
    return { ok: false, reason: 'network', message: `${words.name}'s discovery document could not be read: ${refusalOf(err, words).message}` }
  }
  const issuer = config.serverMetadata().issuer
  try {
    await client.genericGrantRequest(config, 'authorization_code', {
      code: randomBytes(24).toString('base64url'),
      redirect_uri: PROBE_REDIRECT,
      code_verifier: client.randomPKCECodeVerifier()
    })
  } catch (err) {
    if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
      return { ok: true, message: `${words.name} (${issuer}) answered and accepted the client ID and secret.` }
    }
    if (err instanceof client.ResponseBodyError && (err.error === 'invalid_client' || err.error === 'unauthorized_client')) {
      const own = words.explain?.({ error: err.error, error_description: err.error_description, error_codes: (err.cause as Record<string, unknown>).error_codes, at: 'token' })
      const said = firstLine(err.error_description)
      return { ok: false, reason: 'auth', message: own?.message ?? `${words.name} refused the client ID or secret (${err.error}${said === '' ? '' : `: ${said}`}). Check both.` }
    }
    const refusal = refusalOf(err, words)
    return { ok: false, reason: refusal.reason === 'provider_unavailable' ? 'network' : 'config', message: refusal.message }
  }
  return { ok: false, reason: 'config', message: `${words.name} accepted a made-up sign-in code: this is not the provider it should be.` }
}
