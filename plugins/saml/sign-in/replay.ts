// Assertion IDs already accepted (saml_seen_assertions), kept until the assertion expires: a second
// use of one is refused on every web node. One insert decides (the primary key), no read first.
import type { Knex } from 'knex'

const TABLE = 'saml_seen_assertions'

/** Records the assertion as used; false when it was used before. Drops this workspace's expired entries. */
export async function firstUseOfAssertion (db: Knex, workspaceId: string, idpId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
  await db(TABLE).where({ workspace_id: workspaceId }).where('expires_at', '<', db.fn.now()).delete()
  const inserted = await db(TABLE)
    .insert({ workspace_id: workspaceId, idp_id: idpId, assertion_id: assertionId, expires_at: expiresAt })
    .onConflict(['workspace_id', 'idp_id', 'assertion_id']).ignore()
    .returning('assertion_id')
  return inserted.length === 1
}
