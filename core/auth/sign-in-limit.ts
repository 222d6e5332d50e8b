import type { Knex } from 'knex'

export const MAX_FAILED_SIGN_INS = 5
export const SIGN_IN_WINDOW_MINUTES = 15

/**
 * Failed sign-ins are counted from the audit log (they are audited anyway), so the limit holds
 * across every web node without a separate store.
 */
export async function tooManyFailedSignIns (db: Knex, workspaceId: string, email: string, ip: string): Promise<boolean> {
  const [{ count }] = await db('audit_log')
    .where({ workspace_id: workspaceId, action: 'auth.sign_in' })
    .whereIn('outcome', ['failure', 'denied'])
    .where('occurred_at', '>', db.raw('now() - make_interval(mins => ?)', [SIGN_IN_WINDOW_MINUTES]))
    .where(q => q.where('target_label', email.toLowerCase()).orWhereRaw('details->>\'ip\' = ?', [ip]))
    .count({ count: '*' })
  return Number(count) >= MAX_FAILED_SIGN_INS
}
