// Where a sign-in method lives on a workspace's address: its start (the sign-in page's button) and
// the callback the identity provider sends the browser back to (OIDC redirect_uri, SAML ACS URL).
import type { SignInUrls } from '../../sdk/sign-in.ts'

export const SSO_BASE = '/sign-in/sso'

export const signInStartPath = (pluginId: string, method: string): string =>
  `${SSO_BASE}/${encodeURIComponent(pluginId)}/${encodeURIComponent(method)}`

export const signInCallbackPath = (pluginId: string, method: string): string =>
  `${signInStartPath(pluginId, method)}/callback`

/** The absolute URLs of a method on the workspace's origin (`https://acme.stocktake.example`). */
export function signInUrls (workspaceOrigin: string, pluginId: string, method: string): SignInUrls {
  return { start: `${workspaceOrigin}${signInStartPath(pluginId, method)}`, callback: `${workspaceOrigin}${signInCallbackPath(pluginId, method)}` }
}

/** Where a SAML POST callback sends the browser on (a same-site GET, so the binding cookie comes along). */
export const signInContinuePath = (pluginId: string, method: string): string =>
  `${signInStartPath(pluginId, method)}/continue`
