// Jamf Pro's refusals in plain words, each with what the admin should fix: the token endpoint's
// (ctx.http's OAuth2TokenError, an RFC 6749 §5.2 error such as invalid_client) and an inventory's.
import { ConnectorError, OAuth2TokenError, type HttpResponse } from '../../core/sdk.ts'
import type { Collection } from './collections.ts'

/**
 * Jamf's answer to the token request. 429 and 5xx (Jamf unavailable after ctx.http's retries) stay
 * as they are: transient, the run is retried. Other errors pass through.
 */
export function tokenFailure (err: unknown): unknown {
  if (!(err instanceof OAuth2TokenError) || err.status === 429 || err.status >= 500) return err
  if (err.status === 404) {
    return new ConnectorError('config', `There is no Jamf Pro token endpoint at ${err.url}: check the tenant URL (for example https://acme.jamfcloud.com).`)
  }
  if (err.status < 300) return new ConnectorError('network', `Jamf Pro answered the token request at ${err.url} without an access token.`)
  return new ConnectorError('auth', `Jamf Pro refused the client ID and secret (${err.error ?? `HTTP ${err.status}`}). Check that the API client is enabled in Jamf Pro (Settings → API roles and clients) and that the secret is current; Jamf shows a secret only once, so generate a new one if in doubt.`)
}

/** Jamf's error causes ({ httpStatus, errors: [{ code, description }] }) as a short text. */
function causes (body: unknown): string {
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined
  if (!Array.isArray(errors)) return ''
  const parts: string[] = []
  for (const cause of errors as Array<{ code?: unknown, description?: unknown }>) {
    const words = [cause?.code, cause?.description].filter(part => typeof part === 'string' && part !== '')
    if (words.length > 0) parts.push(words.join(': '))
  }
  return parts.length === 0 ? '' : `: ${parts.join('; ').slice(0, 300)}`
}

/** Jamf's final answer to an inventory request that is not 200. */
export function inventoryFailure (collection: Collection, path: string, res: HttpResponse): ConnectorError {
  switch (res.status) {
    case 401:
      return new ConnectorError('auth', `Jamf Pro rejected a freshly issued access token when reading ${collection.noun}. Check that the API client is still enabled in Jamf Pro.`)
    case 403:
      return new ConnectorError('permission', `The Jamf Pro API client may not read ${collection.noun}: give its API role the "${collection.privilege}" privilege (Settings → API roles and clients), then test again.`)
    case 404:
      return new ConnectorError('config', `Jamf Pro has no ${collection.noun} inventory at ${path}: check the tenant URL (for example https://acme.jamfcloud.com).`)
    default:
      return new ConnectorError('config', `Jamf Pro refused the ${collection.noun} request (HTTP ${res.status}${causes(res.body)}).`)
  }
}
