// BASE ONLY (coordinator's scaffold for the two SAML helpers; replaced by the samlpage part before main).
import type { ConnectorPage } from '../../../core/sdk.ts'
import { listIdps } from '../idps/store.ts'

export const samlPage: ConnectorPage = {
  load: async (ctx, tools) => ({ idps: await listIdps(tools.db, ctx.workspace.id) })
}
