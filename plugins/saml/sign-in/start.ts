// Start: an AuthnRequest to the IdP named by the method, over the HTTP-Redirect binding, signed with
// the SP key; its ID goes back to the core in `secrets` so finish can check InResponseTo.
import type { ConnectorContext, SignInRedirect, SignInStartInput, SignInTools } from '../../../core/sdk.ts'
import { findIdpByKey } from '../idps/store.ts'
import { newRequestId, serviceProviderFor } from './service-provider.ts'

export async function startSignIn (ctx: ConnectorContext, input: SignInStartInput, tools: SignInTools): Promise<SignInRedirect> {
  const idp = await findIdpByKey(tools.db, ctx.workspace.id, input.method)
  if (idp === undefined) throw new Error(`There is no SAML identity provider "${input.method}" in this workspace.`)
  if (!idp.enabled) throw new Error(`Sign-in through ${idp.displayName} is turned off.`)
  const requestId = newRequestId()
  const sp = serviceProviderFor(idp, input.callbackUrl, await tools.secrets.open(idp.sealedSpPrivateKey), requestId)
  const url = await sp.getAuthorizeUrlAsync(input.state, undefined, {})
  return { url, secrets: { requestId } }
}
