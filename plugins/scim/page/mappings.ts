import type { Knex } from 'knex'
import type { ConnectorContext } from '../../../core/sdk.ts'

/** How many of the workspace's groups map to a role. */
export async function countMappings (db: Knex, workspaceId: string): Promise<number> {
  const row = await db('scim_groups').where({ workspace_id: workspaceId }).whereNotNull('role').count<{ count: string }>({ count: '*' }).first()
  return Number(row?.count ?? 0)
}

/** The card's "N mappings" after a mapping changed or a mapped group went away; hidden at none. */
export async function showMappingCount (ctx: ConnectorContext, db: Knex): Promise<void> {
  const count = await countMappings(db, ctx.workspace.id)
  await ctx.badge.setCount(count > 0 ? count : null)
}
