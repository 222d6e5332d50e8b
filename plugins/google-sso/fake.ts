// Google's OpenID provider on loopback for this plugin's tests and the conformance suite: a real
// oidc-provider configured as Google (plugins/_shared/oidc/fake-provider.ts), reached at
// accounts.google.com, oauth2.googleapis.com and www.googleapis.com through routeToFake.
import { startOidcPeer, type OidcPeer } from '../_shared/oidc/fake-provider.ts'
import type { FakeOptions, PluginFake } from '../../core/sdk/testing.ts'

export const CLIENT_ID = '1234567890-stocktake0test.apps.googleusercontent.com'
export const CLIENT_SECRET = 'GOCSPX-fake-google-client-secret'
export const CALLBACK_URL = 'https://acme.stocktake.test/sign-in/sso/google-sso/google/callback'
export const DOMAIN = 'example.com'

export interface GoogleFake extends PluginFake {
  peer: OidcPeer
  settings: { clientId: string, clientSecret: string, allowedDomains: string, createPeople: boolean, defaultRole: string }
}

export async function startFake (options: FakeOptions = {}): Promise<GoogleFake> {
  const peer = await startOidcPeer({ flavour: 'google', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [CALLBACK_URL] })
  peer.person = { sub: '109876543210987654321', claims: { email: `pat@${DOMAIN}`, email_verified: true, hd: DOMAIN, given_name: 'Pat', family_name: 'Doe', name: 'Pat Doe' } }
  return {
    url: peer.url,
    peer,
    settings: {
      clientId: CLIENT_ID,
      clientSecret: options.rejectCredentials === true ? 'GOCSPX-not-the-secret' : CLIENT_SECRET,
      allowedDomains: DOMAIN,
      createPeople: true,
      defaultRole: 'employee'
    },
    close: peer.close
  }
}
