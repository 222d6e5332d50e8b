// The settings of an Intune connection and the Graph root they lead to. The settings schema
// enforces the same rules when an admin saves, but the core's form reports a pattern miss with one
// generic sentence; these messages name the field and the rule that was broken.
import { ConnectorError } from '../../core/sdk.ts'
import { graphRoot as graphRootOn } from '../_shared/microsoft/clouds.ts'

export interface IntuneSettings extends Record<string, unknown> {
  /** The directory (tenant) ID, a GUID, or one of the tenant's verified domains. */
  tenantId: string
  /** The app registration's Application (client) ID. */
  clientId: string
  clientSecret: string
  /** Microsoft Entra's sign-in host: login.microsoftonline.com, or a national cloud's (see _shared/microsoft/clouds.ts). */
  loginHost?: string
  /** Microsoft Graph's host: graph.microsoft.com, or a national cloud's. */
  graphHost?: string
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/**
 * Graph's v1.0 root, without a trailing slash, once the IDs the token request is built from are
 * of the right shape; throws a `config` ConnectorError naming the broken rule before Microsoft is
 * called. The token request itself is the manifest's oauth2 block, sent by ctx.http.
 */
export function graphRoot (settings: IntuneSettings): string {
  const tenant = String(settings.tenantId ?? '').trim()
  if (!GUID.test(tenant) && !DOMAIN.test(tenant)) {
    throw new ConnectorError('config', 'Tenant ID must be the Directory (tenant) ID GUID from Microsoft Entra (Overview page), or a verified domain of the tenant such as contoso.onmicrosoft.com.')
  }
  if (!GUID.test(String(settings.clientId ?? '').trim())) {
    throw new ConnectorError('config', 'Application (client) ID must be the GUID shown on the app registration\'s Overview page.')
  }
  return graphRootOn(settings.graphHost)
}
