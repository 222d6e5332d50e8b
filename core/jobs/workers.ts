// Which processes are alive, and handing back what a gone one held. pg-boss 10 records no worker on
// a job: a job whose process was killed stays `active` until its expiry (15 minutes), and a stately
// queue (events.dispatch) runs nothing else of its key meanwhile. So every process registers in
// job_workers and beats a heartbeat carrying the ids of the jobs it has in hand; a sweep declares a
// process gone when its heartbeat is old, hands its jobs back to pg-boss and lets the owners of
// other claims (runs, webhook deliveries) release theirs in the same transaction.
import os from 'node:os'
import type { Knex } from 'knex'

export interface RecoveryTuning {
  /** How often a process writes its heartbeat and the jobs it holds. */
  heartbeatMs: number
  /** A process whose heartbeat is older than this is gone. */
  goneAfterMs: number
  /**
   * A job its process may have fetched after its last heartbeat (so unlisted) is handed back once it
   * started this long ago and no live process lists it. More than goneAfterMs: every live process
   * has written its list since such a job started.
   */
  graceMs: number
  /** How often a worker process sweeps (and once when it starts). */
  sweepMs: number
  /** A run's lease, renewed every renewMs while it executes (core/integrations/lease.ts). */
  leaseMs: number
  renewMs: number
}

export const DEFAULT_RECOVERY: RecoveryTuning = {
  heartbeatMs: 3000, goneAfterMs: 15_000, graceMs: 20_000, sweepMs: 5000, leaseMs: 30_000, renewMs: 10_000
}

/**
 * Run in the sweep's transaction with the processes found gone in it (none on most sweeps): release
 * what they held. Must be set-based and idempotent; two sweeps never run at once.
 */
export type RecoveryHook = (trx: Knex.Transaction, gone: string[]) => Promise<void>

const BOSS = 'pgboss'
const secs = (ms: number) => ms / 1000

export async function registerWorker (db: Knex, id: string): Promise<void> {
  await db('job_workers').insert({ id, host: os.hostname().slice(0, 255), pid: process.pid })
}

/**
 * Writes the heartbeat. The list is taken inside the transaction, so heartbeat_at (its start) is
 * never later than the list: a job missing from it started after heartbeat_at. Returns whether this
 * process had been declared gone meanwhile (its jobs were then handed back).
 */
export async function beat (db: Knex, id: string, held: () => string[]): Promise<boolean> {
  return await db.transaction(async trx => {
    const { rows: [row] } = await trx.raw<{ rows: Array<{ was_gone: boolean }> }>(`
      INSERT INTO job_workers AS w (id, host, pid, jobs) VALUES (?, ?, ?, ?::uuid[])
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), jobs = EXCLUDED.jobs, gone_at = NULL
      RETURNING coalesce((SELECT gone_at IS NOT NULL FROM job_workers WHERE id = ?), true) AS was_gone`,
    [id, os.hostname().slice(0, 255), process.pid, held(), id])
    return row.was_gone
  })
}

export interface SweepResult {
  /** Processes declared gone by this sweep. */
  gone: string[]
  /** Jobs given back to pg-boss, by queue (back: to be fetched again; failed: out of attempts). */
  jobs: Array<{ name: string, back: boolean }>
}

export interface SweepOptions {
  me: string
  tuning: RecoveryTuning
  hooks: RecoveryHook[]
  /**
   * Every other process is gone and every active job is orphaned: this process has just opened the
   * embedded database's folder, which no other process can be using.
   */
  everyoneElse?: boolean
  /** Hand back only what `me` holds (a process shutting down). */
  onlyMe?: boolean
}

/** One sweep, in one transaction; a sweep already running elsewhere makes this one a no-op. */
export async function sweep (db: Knex, options: SweepOptions): Promise<SweepResult> {
  const { me, tuning, everyoneElse = false, onlyMe = false } = options
  return await db.transaction(async trx => {
    const { rows: [lock] } = await trx.raw<{ rows: Array<{ got: boolean }> }>("SELECT pg_try_advisory_xact_lock(hashtext('stocktake:jobs:sweep')) AS got")
    if (!lock.got) return { gone: [], jobs: [] }
    let gone: string[]
    if (onlyMe) {
      await trx('job_workers').where({ id: me }).delete()
      gone = [me]
    } else {
      const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(`
        UPDATE job_workers SET gone_at = now()
        WHERE gone_at IS NULL AND id <> ? AND (? OR heartbeat_at < now() - make_interval(secs => ?))
        RETURNING id`, [me, everyoneElse, secs(tuning.goneAfterMs)])
      gone = rows.map(r => r.id)
    }
    const { rows: [pending] } = await trx.raw<{ rows: Array<{ any: boolean }> }>('SELECT EXISTS (SELECT 1 FROM job_workers WHERE gone_at IS NOT NULL) AS any')
    const jobs = everyoneElse || pending.any ? await handBack(trx, tuning, everyoneElse) : []
    for (const hook of options.hooks) await hook(trx, gone)
    // Kept while a job it may have fetched unlisted can still be found by its start time.
    await trx.raw('DELETE FROM job_workers WHERE gone_at < now() - make_interval(secs => ?)', [secs(tuning.graceMs + 60_000)])
    return { gone, jobs }
  })
}

/**
 * Hands back the active jobs of gone processes: those a gone process listed, and those started in
 * its lifetime, listed by no live process, and older than the grace (a live process would have
 * listed them by then). A job handed back earlier and fetched again started after its process was
 * declared gone, so it is never taken twice. The transition is pg-boss's own for an expired job —
 * `retry`, fetched again at once, its retry count kept (the next fetch counts the attempt) — except
 * that its worker's death is not held against a job with no retries left: it gets one more
 * attempt, and `failed` only past that (a job that kills its worker each time stops there). A
 * stately job whose key already has one waiting in `retry` is failed instead: the waiting one does
 * its work.
 */
async function handBack (trx: Knex.Transaction, tuning: RecoveryTuning, everyone: boolean): Promise<SweepResult['jobs']> {
  const { rows } = await trx.raw<{ rows: Array<{ name: string, back: boolean }> }>(`
    WITH held AS (
      SELECT unnest(jobs) AS id FROM job_workers WHERE gone_at IS NULL
    ), orphan AS (
      SELECT j.id, j.name, (
        j.retry_count <= j.retry_limit AND NOT (j.policy = 'stately' AND EXISTS (
          SELECT 1 FROM ${BOSS}.job r WHERE r.name = j.name AND r.state = 'retry' AND r.policy = 'stately'
            AND coalesce(r.singleton_key, '') = coalesce(j.singleton_key, '')))
      ) AS back
      FROM ${BOSS}.job j
      WHERE j.state = 'active' AND j.id NOT IN (SELECT id FROM held)
        AND (:everyone OR EXISTS (
          SELECT 1 FROM job_workers g
          WHERE g.gone_at IS NOT NULL AND j.started_on < g.heartbeat_at + make_interval(secs => :goneAfter)
            AND (j.id = ANY (g.jobs) OR (j.started_on >= g.started_at AND j.started_on < now() - make_interval(secs => :grace)))))
      FOR UPDATE OF j
    )
    UPDATE ${BOSS}.job j SET
      state = (CASE WHEN o.back THEN 'retry' ELSE 'failed' END)::${BOSS}.job_state,
      start_after = CASE WHEN o.back THEN now() ELSE j.start_after END,
      completed_on = CASE WHEN o.back THEN NULL ELSE now() END,
      output = jsonb_build_object('message', 'handed back: the process working on it stopped')
    FROM orphan o
    WHERE j.name = o.name AND j.id = o.id
    RETURNING j.name, o.back`, { everyone, goneAfter: secs(tuning.goneAfterMs), grace: secs(tuning.graceMs) })
  return rows
}
