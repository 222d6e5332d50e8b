// Finish: verifies the SAML Response posted to the ACS URL (HTTP-POST binding) and returns who
// signed in with the IdP record's policy, or a refusal with its reason. Order: the IdP's own
// refusal (its Status), what can be refused without cryptography, then node-saml's signature, time
// and audience checks, then what node-saml 5.1 leaves to us (issuer, destination and recipient,
// InResponseTo), the identity, and last the replay cache, so that only a sign-in otherwise
// accepted uses up its assertion ID.
import type { Profile } from '@node-saml/node-saml'
import type { ConnectorContext, SignInCallback, SignInResult, SignInTools } from '../../../core/sdk.ts'
import { findIdpByKey } from '../idps/store.ts'
import { readResponse, refuseWeakSignatures } from './document.ts'
import { identityFrom } from './identity.ts'
import { Refusal, idpRefusal, refuse, refusalFromNodeSaml } from './refusals.ts'
import { firstUseOfAssertion } from './replay.ts'
import { serviceProviderFor } from './service-provider.ts'
import { requireSignedParts } from './signed-parts.ts'
import { checkInResponseTo } from './solicited.ts'
import { checkVerifiedAssertion } from './verified-assertion.ts'

export async function finishSignIn (ctx: ConnectorContext, callback: SignInCallback, tools: SignInTools): Promise<SignInResult> {
  const idp = await findIdpByKey(tools.db, ctx.workspace.id, callback.method)
  if (idp === undefined) return refuse('unknown_idp', 'This workspace has no such SAML identity provider (it may have been removed).')
  if (!idp.enabled) return refuse('disabled_idp', `Sign-in through ${idp.displayName} is turned off for this workspace.`)
  const spPrivateKey = await tools.secrets.open(idp.sealedSpPrivateKey)
  try {
    const received = await readResponse(callback.params.SAMLResponse, spPrivateKey)
    const refusedByIdp = idpRefusal(received.status)
    if (refusedByIdp !== undefined) return refusedByIdp
    refuseWeakSignatures([...received.signatures, ...received.assertions])
    requireSignedParts(received, idp)
    let profile: Profile | null
    try {
      ({ profile } = await serviceProviderFor(idp, callback.callbackUrl, spPrivateKey).validatePostResponseAsync({ SAMLResponse: callback.params.SAMLResponse }))
    } catch (err) {
      return refusalFromNodeSaml(err)
    }
    if (profile?.getAssertionXml === undefined) return refuse('malformed', 'The identity provider\'s answer holds no assertion.')
    if (received.issuer !== undefined && received.issuer !== idp.entityId) {
      throw new Refusal('wrong_issuer', `This sign-in was issued by ${received.issuer}, not by this identity provider (${idp.entityId}).`)
    }
    if (received.destination !== undefined && received.destination !== callback.callbackUrl) {
      throw new Refusal('wrong_destination', `This sign-in was sent to ${received.destination}, not to this identity provider's Stocktake ACS URL ${callback.callbackUrl}.`)
    }
    const assertion = checkVerifiedAssertion(profile.getAssertionXml(), { issuer: idp.entityId, acsUrl: callback.callbackUrl })
    checkInResponseTo(callback.attempt, idp, { response: received.inResponseTo, assertion: assertion.inResponseTo })
    const identity = identityFrom(profile, idp)
    if (!await firstUseOfAssertion(tools.db, ctx.workspace.id, idp.id, assertion.id, assertion.expiresAt)) {
      return refuse('replayed', 'This sign-in was already used. Sign in again.')
    }
    return { ok: true, identity, policy: { createPeople: idp.createPeople, roleMappings: idp.roleMappings, defaultRole: idp.defaultRole } }
  } catch (err) {
    if (err instanceof Refusal) return err.failure
    throw err
  }
}
