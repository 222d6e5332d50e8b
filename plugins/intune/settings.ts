// The settings of an Intune connection and the Graph root they lead to. Their rules, in plain
// words, are the settings schema's (errorMessage): the platform checks stored settings against it
// before ctx.http sends anything.
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

/** Graph's v1.0 root, without a trailing slash, on the settings' cloud. */
export const graphRoot = (settings: IntuneSettings): string => graphRootOn(settings.graphHost)
