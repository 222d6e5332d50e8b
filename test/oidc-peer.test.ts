// The core tests' OIDC peers (test/helpers/oidc-peer.ts) with the settings they hand out: Google
// with and without hd, and Entra's home tenant, each through the plugin it stands in front of.
import t from 'tap'
import { createTestContext } from '../core/sdk/testing.ts'
import { signInThrough } from '../plugins/_shared/oidc/fake-sign-in.ts'
import entra from '../plugins/entra-sso/index.ts'
import entraManifest from '../plugins/entra-sso/manifest.json' with { type: 'json' }
import entraSchema from '../plugins/entra-sso/settings.schema.json' with { type: 'json' }
import google from '../plugins/google-sso/index.ts'
import googleManifest from '../plugins/google-sso/manifest.json' with { type: 'json' }
import googleSchema from '../plugins/google-sso/settings.schema.json' with { type: 'json' }
import { startEntraPeer, startGooglePeer } from './helpers/oidc-peer.ts'

const base = 'https://acme.stocktake.test/sign-in/sso'

t.test('Google: a Workspace account signs in; a personal account (no hd) is refused', async t => {
  const callbackUrl = `${base}/google-sso/google/callback`
  for (const [domain, outcome] of [['example.com', { ok: true, identity: { email: 'pat@example.com' } }], [null, { ok: false, reason: 'not_workspace_account' }]] as const) {
    const { peer, settings } = await startGooglePeer(callbackUrl, domain)
    t.teardown(peer.close)
    const ctx = createTestContext({ manifest: googleManifest, settingsSchema: googleSchema, settings, dispatcher: peer.dispatcher })
    t.match((await signInThrough(google, ctx as never, peer, { method: 'google', callbackUrl })).result, outcome, `hd ${String(domain)}`)
  }
})

t.test('Entra: a person of the home tenant signs in; one of the second tenant is refused', async t => {
  const callbackUrl = `${base}/entra-sso/microsoft/callback`
  const { peer, settings, tenants } = await startEntraPeer(callbackUrl)
  t.teardown(peer.close)
  const ctx = createTestContext({ manifest: entraManifest, settingsSchema: entraSchema, settings, dispatcher: peer.dispatcher })
  t.match((await signInThrough(entra, ctx as never, peer, { method: 'microsoft', callbackUrl })).result, { ok: true, identity: { email: 'pat@contoso.com' } })
  const multi = createTestContext({ manifest: entraManifest, settingsSchema: entraSchema, settings: { ...settings, tenancy: 'multi', tenantId: undefined, allowedTenants: tenants[0] }, dispatcher: peer.dispatcher })
  peer.person = { ...peer.person, tenant: tenants[1], claims: { ...peer.person.claims, tid: tenants[1] } }
  t.match((await signInThrough(entra, multi as never, peer, { method: 'microsoft', callbackUrl })).result, { ok: false, reason: 'wrong_tenant' })
})
