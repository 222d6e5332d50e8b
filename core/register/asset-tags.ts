import type { Knex } from 'knex'

export function formatAssetTag (prefix: string, digits: number, n: number): string {
  return `${prefix}${String(n).padStart(digits, '0')}`
}

/**
 * Takes the next `count` asset tags of the workspace convention (prefix + zero-padded sequence).
 * The counter row is updated in the caller's transaction, which locks it until commit: concurrent
 * creates queue behind each other, so tags have no duplicates, and a rolled-back create gives its
 * numbers back, so they have no gaps. Numbers already taken by a hand-entered tag are skipped.
 */
export async function takeAssetTags (trx: Knex.Transaction, workspaceId: string, count = 1): Promise<string[]> {
  const tags: string[] = []
  while (tags.length < count) {
    const wanted = count - tags.length
    const { rows: [ws] } = await trx.raw<{ rows: Array<{ asset_tag_prefix: string, asset_tag_digits: number, first: number }> }>(
      `UPDATE workspaces SET asset_tag_next = asset_tag_next + ? WHERE id = ?
       RETURNING asset_tag_prefix, asset_tag_digits, asset_tag_next - ? AS first`, [wanted, workspaceId, wanted])
    if (!ws) throw new Error(`workspace ${workspaceId} does not exist`)
    const candidates = Array.from({ length: wanted }, (_, i) => formatAssetTag(ws.asset_tag_prefix, ws.asset_tag_digits, ws.first + i))
    const taken = new Set((await trx('hardware').where({ workspace_id: workspaceId }).whereIn('asset_tag', candidates).pluck('asset_tag')) as string[])
    tags.push(...candidates.filter(tag => !taken.has(tag)))
  }
  return tags
}
