// Microsoft Entra ID's OpenID provider on loopback for this plugin's tests and the conformance
// suite: a real oidc-provider configured as Entra (plugins/_shared/oidc/fake-provider.ts) with a
// home tenant and a second one, reached at login.microsoftonline.com through routeToFake.
import { startOidcPeer, type OidcPeer } from '../_shared/oidc/fake-provider.ts'
import type { FakeOptions, PluginFake } from '../../core/sdk/testing.ts'

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
export const OTHER_TENANT = '5b8f2c1e-0d4a-4f5e-9c3b-7a6d1e2f3a4b'
export const TENANT_DOMAIN = 'contoso.onmicrosoft.com'
export const CLIENT_ID = '3f1c2b4a-6d5e-4f70-8a9b-0c1d2e3f4a5b'
export const CLIENT_SECRET = 'Zq8~entra.client-secret.value'
export const CALLBACK_URL = 'https://acme.stocktake.test/sign-in/sso/entra-sso/microsoft/callback'

export interface EntraFakeOptions extends FakeOptions {
  loginHost?: string
}

export interface EntraFake extends PluginFake {
  peer: OidcPeer
  settings: { tenancy: string, tenantId: string, clientId: string, clientSecret: string, loginHost: string, createPeople: boolean, defaultRole: string }
}

/** A person of `tenant` as Entra puts them in an ID token (tid, oid, UPN; email only when set). */
export function entraPerson (tenant: string, claims: Record<string, unknown> = {}) {
  return {
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tenant,
    claims: { tid: tenant, oid: '00000000-0000-0000-66f3-3332eca7ea81', preferred_username: 'pat@contoso.com', email: 'pat@contoso.com', given_name: 'Pat', family_name: 'Doe', name: 'Pat Doe', ...claims }
  }
}

export async function startFake (options: EntraFakeOptions = {}): Promise<EntraFake> {
  const loginHost = options.loginHost ?? 'login.microsoftonline.com'
  const peer = await startOidcPeer({ flavour: 'entra', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [CALLBACK_URL], tenants: [TENANT, OTHER_TENANT], tenantDomain: TENANT_DOMAIN, loginHost })
  peer.person = entraPerson(TENANT)
  return {
    url: peer.url,
    peer,
    settings: {
      tenancy: 'single',
      tenantId: TENANT,
      clientId: CLIENT_ID,
      clientSecret: options.rejectCredentials === true ? 'Zq8~not.the.secret' : CLIENT_SECRET,
      loginHost,
      createPeople: false,
      defaultRole: 'employee'
    },
    close: peer.close
  }
}
