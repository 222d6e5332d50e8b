import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import PgBoss from 'pg-boss'
import type { FastifyBaseLogger } from 'fastify'
import type { Knex } from 'knex'
import { asPgBossExecutor } from '../db/index.ts'
import { beat, DEFAULT_RECOVERY, registerWorker, sweep, type RecoveryHook, type RecoveryTuning } from './workers.ts'

export { DEFAULT_RECOVERY, type RecoveryHook, type RecoveryTuning } from './workers.ts'

export interface JobDefinition<T extends object> {
  name: string
  handler: (data: T, job: PgBoss.Job<T>) => Promise<unknown>
  /** Takes each fetched batch whole instead of `handler` per job (set-based work); must not throw for one job's failure. */
  batchHandler?: (data: T[]) => Promise<unknown>
  /** pg-boss queue policy; `stately` keeps at most one queued and one active job per singleton key. */
  policy?: 'standard' | 'short' | 'singleton' | 'stately'
  retryLimit?: number
  batchSize?: number
  /** A cron expression to run this job on a schedule (worker processes only). */
  cron?: string
}

export interface SendOptions extends PgBoss.SendOptions {
  /** Enqueue inside this transaction, so the job exists if and only if the change commits. */
  trx?: Knex.Transaction
}

export interface JobsOptions {
  db: Knex
  /** This process opened the embedded database's folder itself: no process registered before it is alive. */
  ownsDatabase?: boolean
  /** Test hook: shorter heartbeats, leases and sweeps. */
  recovery?: Partial<RecoveryTuning>
}

type Log = Pick<FastifyBaseLogger, 'error' | 'warn' | 'info'>

/**
 * The job queue: pg-boss on the same database, with jobs defined by the concerns that own them.
 * The process registers itself (job_workers) with a heartbeat listing the jobs it has in hand; a
 * worker process sweeps for processes that are gone and hands their jobs back (core/jobs/workers.ts).
 */
export class Jobs {
  readonly boss: PgBoss
  /** This process, as job_workers knows it; also what runs and webhook claims are held by. */
  readonly workerId = randomUUID()
  readonly recovery: RecoveryTuning
  private readonly definitions = new Map<string, JobDefinition<any>>()
  private readonly hooks: RecoveryHook[] = []
  /** Ids of the jobs this process is working on, reported with each heartbeat. */
  private readonly held = new Set<string>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly db: Knex
  private readonly ownsDatabase: boolean
  private log: Log | undefined
  private started = false

  constructor (connectionString: string, private readonly runWorker: boolean, options: JobsOptions) {
    this.db = options.db
    this.ownsDatabase = options.ownsDatabase ?? false
    this.recovery = { ...DEFAULT_RECOVERY, ...options.recovery }
    this.boss = new PgBoss({
      connectionString,
      max: 4,
      supervise: runWorker,
      schedule: runWorker,
      migrate: true
    })
  }

  define<T extends object> (definition: JobDefinition<T>): void {
    if (this.started) throw new Error(`job ${definition.name} defined after the queue started`)
    this.definitions.set(definition.name, definition)
  }

  /** Registers what to release, in the sweep's transaction, when processes are found gone (see RecoveryHook). */
  onRecover (hook: RecoveryHook): void {
    this.hooks.push(hook)
  }

  async start (log: Log): Promise<void> {
    this.log = log
    this.boss.on('error', err => log.error({ err }, 'job queue error'))
    await this.boss.start()
    for (const def of this.definitions.values()) {
      await this.boss.createQueue(def.name, { name: def.name, policy: def.policy ?? 'standard', retryLimit: def.retryLimit ?? 3, retryBackoff: true })
    }
    await registerWorker(this.db, this.workerId)
    this.started = true
    this.every(this.recovery.heartbeatMs, () => this.heartbeat())
    // Before this process takes any job: whatever is active now belongs to a process that is gone.
    if (this.ownsDatabase) await this.sweep({ everyoneElse: true })
    if (this.runWorker) {
      await this.sweep()
      this.every(this.recovery.sweepMs, () => this.sweep())
      for (const def of this.definitions.values()) {
        const batchSize = def.batchSize ?? 1
        // Set once work() answers; the first batch may already be in hand by then.
        const worker: { id?: string } = {}
        worker.id = await this.boss.work(def.name, { batchSize, pollingIntervalSeconds: 0.5 }, async jobs => {
          for (const job of jobs) this.held.add(job.id)
          try {
            if (def.batchHandler) await def.batchHandler(jobs.map(job => job.data))
            else for (const job of jobs) await def.handler(job.data, job)
          } finally {
            // pg-boss completes the jobs after this returns: they stay listed until that is surely done.
            setTimeout(() => { for (const job of jobs) this.held.delete(job.id) }, 2 * this.recovery.heartbeatMs).unref()
          }
          // pg-boss waits the polling interval after every fetch; a full batch means more are
          // likely queued, so the worker fetches again at once.
          if (jobs.length === batchSize && worker.id !== undefined) this.boss.notifyWorker(worker.id)
        })
        if (def.cron) await this.boss.schedule(def.name, def.cron)
      }
    }
  }

  /**
   * Declares gone the processes whose heartbeat lapsed, hands their jobs back and runs the
   * recovery hooks (a worker does this every few seconds; a run that finds its slot taken, once).
   */
  async sweep (options: { everyoneElse?: boolean } = {}): Promise<void> {
    const result = await sweep(this.db, { me: this.workerId, tuning: this.recovery, hooks: this.hooks, everyoneElse: options.everyoneElse })
    if (result.gone.length > 0 || result.jobs.length > 0) {
      const byQueue: Record<string, number> = {}
      for (const job of result.jobs) byQueue[job.name] = (byQueue[job.name] ?? 0) + 1
      this.log?.warn({ gone: result.gone, handedBack: byQueue, failed: result.jobs.filter(j => !j.back).length }, 'recovered the work of stopped processes')
    }
  }

  private async heartbeat (): Promise<void> {
    if (await beat(this.db, this.workerId, () => [...this.held])) {
      this.log?.error({ workerId: this.workerId }, `this process was presumed gone (no heartbeat for ${this.recovery.goneAfterMs / 1000} s): the jobs it held were handed back and may run twice`)
    }
  }

  /** Runs `task` every `ms` while started, one at a time; a failure is logged, not thrown. */
  private every (ms: number, task: () => Promise<void>): void {
    let busy = false
    const timer = setInterval(() => {
      if (busy || !this.started) return
      busy = true
      task().catch(err => this.log?.error({ err }, 'job recovery failed')).finally(() => { busy = false })
    }, ms)
    timer.unref()
    this.timers.push(timer)
  }

  async send (name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const { trx, ...sendOptions } = options
    if (!this.definitions.has(name)) throw new Error(`unknown job ${name}`)
    return await this.boss.send(name, data, trx ? { ...sendOptions, db: asPgBossExecutor(trx) } : sendOptions)
  }

  /** Enqueues one job per item of `data` in one statement (inside `trx` when given); `ids[i]` names the job of `data[i]`. */
  async sendMany (name: string, data: object[], options: { trx?: Knex.Transaction, retryLimit?: number, startAfter?: Date, ids?: string[] } = {}): Promise<void> {
    if (!this.definitions.has(name)) throw new Error(`unknown job ${name}`)
    if (data.length === 0) return
    const startAfter = options.startAfter?.toISOString()
    const jobs = data.map((item, i) => ({ id: options.ids?.[i], name, data: item, retryLimit: options.retryLimit, startAfter }))
    await this.boss.insert(jobs, options.trx ? { db: asPgBossExecutor(options.trx) } : {})
  }

  async ready (): Promise<boolean> {
    return Boolean(await this.boss.isInstalled())
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    // Graceful: workers finish the job in hand before the pool closes.
    await this.boss.stop({ graceful: true, wait: true, timeout: 20_000 })
    // What this process still held (a run it could not finish) is handed back now, not after a lease lapses.
    await sweep(this.db, { me: this.workerId, tuning: this.recovery, hooks: this.hooks, onlyMe: true })
      .catch(err => this.log?.error({ err }, 'could not hand back the work of this process'))
  }
}

/** Runs `work` on every item, at most `limit` at a time; the first failure is thrown after all settle. */
export async function eachAtMost<T> (limit: number, items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  })
  const results = await Promise.allSettled(lanes)
  const failed = results.find(r => r.status === 'rejected')
  if (failed) throw failed.reason
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: Jobs
  }
}

export default fp<{ jobs: Jobs }>(async (app, opts) => {
  app.decorate('jobs', opts.jobs)
  app.addHook('onReady', async () => {
    await opts.jobs.start(app.log)
  })
  app.addHook('onClose', async () => { await opts.jobs.stop() })
}, { name: 'jobs', dependencies: ['db'] })
