// BASE ONLY (coordinator's scaffold for the two SAML helpers; replaced by the saml part before main).
import type { ConnectorContext, SignInCapability } from '../../../core/sdk.ts'
import { listIdps } from '../idps/store.ts'

export const samlSignIn: SignInCapability<ConnectorContext> = {
  async methods (ctx, tools) {
    return (await listIdps(tools.db, ctx.workspace.id)).filter(idp => idp.enabled).map(idp => ({ key: idp.key, label: idp.displayName }))
  },
  async start () { throw new Error('not built yet') },
  async finish () { return { ok: false, reason: 'not_built', message: 'Not built yet.' } }
}
