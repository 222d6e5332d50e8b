// The SAML plugin's sign-in as the core calls it, on the real test database: a workspace, IdP
// records stored through the plugin's store (each with its own SP key pair, sealed with the
// workspace key), and the capability's ctx and tools.
import { buildTestApp } from '../app.ts'
import { createTestContext, silentLogger } from '../../../core/sdk/testing.ts'
import { workspaceSecrets } from '../../../core/integrations/plugin-page.ts'
import { signInUrls } from '../../../core/auth/sso/paths.ts'
import type { SignInCallback, SignInTools } from '../../../core/sdk.ts'
import { createIdp } from '../../../plugins/saml/idps/store.ts'
import { newServiceProviderKeys } from '../../../plugins/saml/idps/sp-keys.ts'
import type { Idp, IdpFields } from '../../../plugins/saml/idps/types.ts'
import { samlSignIn } from '../../../plugins/saml/sign-in/index.ts'
import type { ServiceProviderAddresses } from './samlify-idp.ts'

interface Teardown { teardown: (fn: () => unknown) => void }

export async function samlSignInSetup (t: Teardown) {
  const { app, workspace } = await buildTestApp(t)
  const acme = await workspace('acme')
  const ctx = createTestContext({ manifest: {}, settings: {}, workspace: { id: acme.id, slug: acme.slug, name: 'Acme' }, log: silentLogger })
  const tools: SignInTools = { db: app.pluginDb('saml'), secrets: workspaceSecrets(app, acme.id) }
  const origin = 'https://acme.stocktake.test'

  /** A stored IdP (defaults: enabled, Response signed, email from the NameID, no IdP-initiated). */
  async function addIdp (fields: Partial<IdpFields> & Pick<IdpFields, 'key' | 'entityId' | 'certificates'>): Promise<Idp & { sp: ServiceProviderAddresses }> {
    const idp = await createIdp(tools.db, acme.id, {
      displayName: fields.key.toUpperCase(),
      enabled: true,
      ssoUrl: 'https://idp.example/sso',
      signedPart: 'response',
      emailAttribute: null,
      firstNameAttribute: null,
      lastNameAttribute: null,
      groupAttribute: null,
      allowIdpInitiated: false,
      createPeople: false,
      defaultRole: 'employee',
      roleMappings: [],
      ...fields
    }, await newServiceProviderKeys(`Stocktake ${fields.key}`, tools.secrets))
    const urls = signInUrls(origin, 'saml', idp.key)
    return { ...idp, sp: { entityId: urls.start, acsUrl: urls.callback, certificate: idp.spCertificate } }
  }

  const start = async (idp: Idp & { sp: ServiceProviderAddresses }, state = 'state-1') =>
    await samlSignIn.start(ctx, { method: idp.key, callbackUrl: idp.sp.acsUrl, state }, tools)

  const finish = async (idp: Idp & { sp: ServiceProviderAddresses }, samlResponse: string, attempt: SignInCallback['attempt'] = null) =>
    await samlSignIn.finish(ctx, { method: idp.key, callbackUrl: idp.sp.acsUrl, params: { SAMLResponse: samlResponse, RelayState: attempt?.state ?? '' }, attempt }, tools)

  return { app, acme, ctx, tools, addIdp, start, finish }
}
