// The settings of a Jamf Pro connection, and the tenant URL's rules in plain words for the
// connector itself (settings that reach it other than through the form, e.g. a test context): the
// settings form reports the same rules from the schema's own errorMessage words.
import { ConnectorError } from '../../core/sdk.ts'

export interface JamfSettings extends Record<string, unknown> {
  /** https://acme.jamfcloud.com: https, no trailing slash, no /api. */
  tenantUrl: string
  /** The API client's UUID. */
  clientId: string
  clientSecret: string
}

const EXAMPLE = 'for example https://acme.jamfcloud.com'

/** Why a tenant URL is unusable, naming the field and the rule; null when it is fine. */
export function tenantUrlProblem (value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return `Tenant URL is required (${EXAMPLE}).`
  const text = value.trim()
  if (!/^https:\/\//i.test(text)) return `Tenant URL must start with https:// (${EXAMPLE}).`
  if (text.endsWith('/')) return `Tenant URL must not end with a slash: use ${text.replace(/\/+$/, '')}.`
  if (/\/api$/i.test(text)) return `Tenant URL must not end with /api: use ${text.slice(0, -4)}, Stocktake adds the API paths itself.`
  try {
    const url = new URL(text)
    if (url.search !== '' || url.hash !== '') return `Tenant URL must not carry a query or a fragment (${EXAMPLE}).`
  } catch {
    return `Tenant URL is not a valid URL (${EXAMPLE}).`
  }
  return null
}

/** The tenant URL to build API URLs on; throws a `config` ConnectorError naming the broken rule. */
export function tenantBase (settings: JamfSettings): string {
  const problem = tenantUrlProblem(settings.tenantUrl)
  if (problem !== null) throw new ConnectorError('config', problem)
  return settings.tenantUrl.trim()
}
