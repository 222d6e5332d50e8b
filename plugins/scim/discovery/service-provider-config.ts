import { SERVICE_PROVIDER_CONFIG_SCHEMA } from './discovery-urns.ts'
import { meta } from './meta.ts'

export const DOCUMENTATION_URI = 'https://github.com/stocktake/stocktake/blob/main/plugins/scim/README.md'

/**
 * GET /ServiceProviderConfig (also served at /serviceConfiguration for the Microsoft collection):
 * what the server supports (RFC 7643 §5). Keep it in step with the routes, clients believe it.
 */
export function serviceProviderConfig (baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: DOCUMENTATION_URI,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication scheme using the OAuth Bearer Token Standard',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true
    }],
    meta: meta('ServiceProviderConfig', baseUrl, 'ServiceProviderConfig')
  }
}
