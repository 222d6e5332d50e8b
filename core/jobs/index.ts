import fp from 'fastify-plugin'
import PgBoss from 'pg-boss'
import type { Knex } from 'knex'
import { asPgBossExecutor } from '../db/index.ts'

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

/** The job queue: pg-boss on the same database, with jobs defined by the concerns that own them. */
export class Jobs {
  readonly boss: PgBoss
  private readonly definitions = new Map<string, JobDefinition<any>>()
  private started = false

  constructor (connectionString: string, private readonly runWorker: boolean) {
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

  async start (onError: (err: Error) => void): Promise<void> {
    this.boss.on('error', onError)
    await this.boss.start()
    for (const def of this.definitions.values()) {
      await this.boss.createQueue(def.name, { name: def.name, policy: def.policy ?? 'standard', retryLimit: def.retryLimit ?? 3, retryBackoff: true })
    }
    if (this.runWorker) {
      for (const def of this.definitions.values()) {
        const batchSize = def.batchSize ?? 1
        // Set once work() answers; the first batch may already be in hand by then.
        const worker: { id?: string } = {}
        worker.id = await this.boss.work(def.name, { batchSize, pollingIntervalSeconds: 0.5 }, async jobs => {
          if (def.batchHandler) await def.batchHandler(jobs.map(job => job.data))
          else for (const job of jobs) await def.handler(job.data, job)
          // pg-boss waits the polling interval after every fetch; a full batch means more are
          // likely queued, so the worker fetches again at once.
          if (jobs.length === batchSize && worker.id !== undefined) this.boss.notifyWorker(worker.id)
        })
        if (def.cron) await this.boss.schedule(def.name, def.cron)
      }
    }
    this.started = true
  }

  async send (name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const { trx, ...sendOptions } = options
    if (!this.definitions.has(name)) throw new Error(`unknown job ${name}`)
    return await this.boss.send(name, data, trx ? { ...sendOptions, db: asPgBossExecutor(trx) } : sendOptions)
  }

  /** Enqueues one job per item of `data` in one statement (inside `trx` when given). */
  async sendMany (name: string, data: object[], options: { trx?: Knex.Transaction, retryLimit?: number, startAfter?: Date } = {}): Promise<void> {
    if (!this.definitions.has(name)) throw new Error(`unknown job ${name}`)
    if (data.length === 0) return
    const startAfter = options.startAfter?.toISOString()
    const jobs = data.map(item => ({ name, data: item, retryLimit: options.retryLimit, startAfter }))
    await this.boss.insert(jobs, options.trx ? { db: asPgBossExecutor(options.trx) } : {})
  }

  async ready (): Promise<boolean> {
    return Boolean(await this.boss.isInstalled())
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    // Graceful: workers finish the job in hand before the pool closes.
    await this.boss.stop({ graceful: true, wait: true, timeout: 20_000 })
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
    await opts.jobs.start(err => app.log.error({ err }, 'job queue error'))
  })
  app.addHook('onClose', async () => { await opts.jobs.stop() })
}, { name: 'jobs', dependencies: ['db'] })
