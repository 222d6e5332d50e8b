import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { Jobs } from '../jobs/index.ts'

/** Why a run stopped in its worker: it was cancelled, or taken over after its lease lapsed. */
export class RunStoppedError extends Error {
  override name = 'RunStoppedError'
}

/**
 * A run belongs to the execution that claimed it: the run row names the process (worker_id, for
 * the sweep to release it when that process is gone), this execution (lease_id) and until when
 * (lease_until). A timer renews it; every write of the run (progress, counts with each chunk, a
 * checkpoint, the outcome) is made only while the lease still holds. When it does not — the run
 * was cancelled, or its lease lapsed and another worker resumed it — the signal aborts and the
 * execution stops writing.
 */
export class RunLease {
  readonly id = randomUUID()
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout | undefined
  /** Rejects when the lease is lost (never resolves): to race a plugin that ignores its signal. */
  readonly lost: Promise<never>

  constructor (private readonly db: Knex, private readonly jobs: Jobs, readonly runId: string) {
    this.lost = new Promise<never>((_resolve, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.controller.signal.reason))
    })
    this.lost.catch(() => {})
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** What a claim writes on the run row. */
  columns () {
    return {
      worker_id: this.jobs.workerId,
      lease_id: this.id,
      lease_until: this.db.raw('now() + make_interval(secs => ?)', [this.jobs.recovery.leaseMs / 1000])
    }
  }

  /** The run's row while this lease holds it. */
  scope (db: Knex | Knex.Transaction = this.db): Knex.QueryBuilder {
    return db('integration_runs').where({ id: this.runId, lease_id: this.id, status: 'running' })
  }

  /** Renews the lease every renewMs until stop(). */
  start (): void {
    this.timer = setInterval(() => {
      this.scope().update({ lease_until: this.db.raw('now() + make_interval(secs => ?)', [this.jobs.recovery.leaseMs / 1000]) })
        .then(n => { if (n === 0) this.fail() })
        .catch(() => {}) // a database hiccup: the next renewal tries again, well within the lease
    }, this.jobs.recovery.renewMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /** Throws unless `written` (rows a fenced write touched) shows the lease still holds. */
  check (written: number): void {
    if (written === 0) throw this.fail()
  }

  /**
   * Aborts the execution. No query here: this is called inside a chunk's transaction, where the
   * embedded database would wait forever for a second connection.
   */
  fail (): RunStoppedError {
    if (!this.controller.signal.aborted) this.controller.abort(new RunStoppedError('The run was cancelled, or resumed by another worker after its lease lapsed.'))
    return this.controller.signal.reason as RunStoppedError
  }
}
