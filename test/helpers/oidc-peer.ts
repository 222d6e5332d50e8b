// oidc-provider 8.8 on loopback as Google or as Microsoft Entra ID, for the core's tests of the
// Google Workspace SSO and Microsoft Entra ID plugins through the real sign-in routes. The peer
// itself lives with the plugins (plugins/_shared/oidc/fake-provider.ts), where their fakes and the
// conformance suite start it; this is the core tests' door to it, with the plugins' settings.
//
// Give the app `peer.dispatcher` as the integrations' HTTP dispatcher (ctx.http reaches
// accounts.google.com or login.microsoftonline.com on the peer), follow the start route's redirect
// with `playBrowser(peer, location, callbackUrl)`, and bring the returned query to the callback.
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { Agent } from 'undici'
import { playBrowser } from '../../plugins/_shared/oidc/fake-browser.ts'
import { startOidcPeer, type OidcPeer, type PeerPerson } from '../../plugins/_shared/oidc/fake-provider.ts'

export { playBrowser, type OidcPeer, type PeerPerson }

export const GOOGLE_CLIENT_ID = '1234567890-stocktake0e2e.apps.googleusercontent.com'
export const ENTRA_CLIENT_ID = '3f1c2b4a-6d5e-4f70-8a9b-0c1d2e3f4a5b'
export const CLIENT_SECRET = 'oidc-peer-client-secret-9c2e'

/** Google: a Workspace person of `domain` (hd), or a personal account when `domain` is null. */
export async function startGooglePeer (callbackUrl: string, domain: string | null = 'example.com'): Promise<{ peer: OidcPeer, settings: Record<string, unknown> }> {
  const peer = await startOidcPeer({ flavour: 'google', clientId: GOOGLE_CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackUrl] })
  const address = `pat@${domain ?? 'gmail.com'}`
  peer.person = { sub: '109876543210987654321', claims: { email: address, email_verified: true, given_name: 'Pat', family_name: 'Doe', ...(domain === null ? {} : { hd: domain }) } }
  return { peer, settings: { clientId: GOOGLE_CLIENT_ID, clientSecret: CLIENT_SECRET, allowedDomains: domain ?? 'example.com', createPeople: true } }
}

/** Entra: a home tenant (single-tenant settings) and a second tenant; the person is of the home tenant. */
export async function startEntraPeer (callbackUrl: string, tenants: string[] = [randomUUID(), randomUUID()]): Promise<{ peer: OidcPeer, settings: Record<string, unknown>, tenants: string[] }> {
  const peer = await startOidcPeer({ flavour: 'entra', clientId: ENTRA_CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackUrl], tenants })
  peer.person = { sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ', tenant: tenants[0], claims: { tid: tenants[0], email: 'pat@contoso.com', preferred_username: 'pat@contoso.com', given_name: 'Pat', family_name: 'Doe', groups: [] } }
  return { peer, tenants, settings: { tenancy: 'single', tenantId: tenants[0], clientId: ENTRA_CLIENT_ID, clientSecret: CLIENT_SECRET, createPeople: true } }
}

/** The vendor hosts of a Google peer (the rest: Microsoft's sign-in hosts, Entra's). */
const isGoogleHost = (hostname: string): boolean => /(^|\.)(google|googleapis)\.com$/.test(hostname)

/**
 * One dispatcher for an app that talks to both peers: Google's hosts reach the Google peer,
 * every other host the Entra peer (routeToFake routes every host to one peer).
 */
export function routeVendors (google: OidcPeer, entra: OidcPeer): Agent {
  return new Agent({
    connect: (options, callback) => {
      const { hostname, port } = new URL(isGoogleHost(options.hostname) ? google.url : entra.url)
      const socket = connect(Number(port), hostname)
      socket.once('connect', () => callback(null, socket))
      socket.once('error', err => callback(err, null))
    }
  })
}
