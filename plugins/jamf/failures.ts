// Jamf Pro's refusals in plain words, declared, each with what the admin should fix: the token
// endpoint's (an RFC 6749 §5.2 error such as invalid_client) and an inventory's.
import { vendorFailures, type VendorError } from '../../core/sdk.ts'
import type { Collection } from './collections.ts'

/** What was being read when Jamf refused: the inventory and the path tried. */
export interface Reading { collection: Collection, path: string }

/** Jamf's error causes: { httpStatus, errors: [{ code, description }] }. */
const causes = (body: Record<string, unknown>): VendorError[] =>
  Array.isArray(body.errors) ? (body.errors as Array<{ code?: unknown, description?: unknown } | null>).map(c => ({ code: c?.code, message: c?.description })) : []

export const jamfFailures = vendorFailures<Reading>({
  token: {
    statuses: {
      404: { reason: 'config', message: f => `There is no Jamf Pro token endpoint at ${f.url}: check the tenant URL (for example https://acme.jamfcloud.com).` }
    },
    noToken: f => `Jamf Pro answered the token request at ${f.url} without an access token.`,
    otherwise: {
      reason: 'auth',
      message: f => `Jamf Pro refused the client ID and secret (${f.code ?? `HTTP ${f.status}`}). Check that the API client is enabled in Jamf Pro (Settings → API roles and clients) and that the secret is current; Jamf shows a secret only once, so generate a new one if in doubt.`
    }
  },
  request: {
    read: causes,
    statuses: {
      401: { reason: 'auth', message: f => `Jamf Pro rejected a freshly issued access token when reading ${f.about.collection.noun}. Check that the API client is still enabled in Jamf Pro.` },
      403: { reason: 'permission', message: f => `The Jamf Pro API client may not read ${f.about.collection.noun}: give its API role the "${f.about.collection.privilege}" privilege (Settings → API roles and clients), then test again.` },
      404: { reason: 'config', message: f => `Jamf Pro has no ${f.about.collection.noun} inventory at ${f.about.path}: check the tenant URL (for example https://acme.jamfcloud.com).` }
    },
    otherwise: { reason: 'config', message: f => `Jamf Pro refused the ${f.about.collection.noun} request (HTTP ${f.status}${f.detail === '' ? '' : `: ${f.detail}`}).` }
  }
})
