import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { ValidationError } from '../../core/register/index.ts'

/**
 * Proves "nothing is half-written": `counts` snapshots row counts of the given tables for one
 * workspace (plus any extra `SELECT … AS name` columns), and `rejects` asserts a call fails with
 * a ValidationError naming the field and rule while every count stays the same.
 */
export function writeProbe (app: FastifyInstance, tables: string[], extraColumns: string[] = []) {
  // A refused request's own audit entry (access.denied) is not a write of the register.
  const only = (n: string) => n === 'audit_log' ? " AND action <> 'access.denied'" : ''
  const columns = tables.map(n => `(SELECT count(*) FROM ${n} WHERE ${n === 'workspaces' ? 'id' : 'workspace_id'} = :ws${only(n)})::int AS ${n}`)

  async function counts (ws: string): Promise<Record<string, number>> {
    const { rows } = await app.db.raw(`SELECT ${[...columns, ...extraColumns].join(', ')}`, { ws })
    return rows[0]
  }

  async function rejects (t: Test, ws: string, call: () => Promise<unknown>, field: string, rule: string, message?: string) {
    const before = await counts(ws)
    const err = await call().then(() => null, (e: unknown) => e)
    t.type(err, ValidationError, `${field} ${rule}: a ValidationError`)
    if (!(err instanceof ValidationError)) return
    t.equal(err.statusCode, 422)
    t.ok(err.errors.some(e => e.field === field && e.rule === rule), `names ${field} (${rule}): ${err.message}`)
    t.match(err.message, message ?? `${field}: `)
    t.same(await counts(ws), before, 'nothing written')
  }

  return { counts, rejects }
}
