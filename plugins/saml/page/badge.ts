import type { Knex } from 'knex'
import type { ConnectorContext } from '../../../core/sdk.ts'
import { countIdps } from '../idps/store.ts'

/** The card's "N IdPs" after an IdP was added or deleted; hidden at none. */
export async function showIdpCount (ctx: ConnectorContext, db: Knex): Promise<void> {
  const count = await countIdps(db, ctx.workspace.id)
  await ctx.badge.setCount(count > 0 ? count : null)
}
