// The SAML plugin's sign-in capability: one method per enabled IdP of the workspace, its button
// worded like Google's and Microsoft's ("Sign in with Okta").
import type { ConnectorContext, SignInCapability } from '../../../core/sdk.ts'
import { listIdps } from '../idps/store.ts'
import { finishSignIn } from './finish.ts'
import { startSignIn } from './start.ts'

export const samlSignIn: SignInCapability<ConnectorContext> = {
  async methods (ctx, tools) {
    return (await listIdps(tools.db, ctx.workspace.id)).filter(idp => idp.enabled).map(idp => ({ key: idp.key, label: `Sign in with ${idp.displayName}` }))
  },
  start: startSignIn,
  finish: finishSignIn
}
