// Measures crash recovery: kill -9 of a Stocktake process (a real one, in a child process) and a
// restart on the same database.
//
//   npx tsx scripts/bench-recovery.ts [--source intune|jamf] [--devices N] [--events N] [--json]
//   DATABASE_URL=postgres://… npx tsx scripts/bench-recovery.ts …   # scratch databases on that server, dropped after
//
// (a) A sync of N devices from the plugin's fake is killed mid-run; the run's counts are compared
//     with the rows in the register at that moment; then the process is started again and the time
//     until the run is resumed (its second attempt running) and until it completes is printed.
// (b) A burst of webhook deliveries (N hardware.created events to a local receiver answering in
//     300 ms) is killed mid-way; the time from the restart to the first delivery, to the last one,
//     and for a new event made after the restart to be delivered, is printed.
// Without DATABASE_URL the child holds an embedded database in a temporary data folder, as
// `npm start` does. The fake and the receiver run in this process.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Knex } from 'knex'
import { systemActor } from '../core/audit/index.ts'
import { loadConfig } from '../core/config.ts'
import { BUILTIN_PLUGINS_DIR } from '../core/integrations/discovery.ts'
import type { RunRow } from '../core/integrations/runs.ts'
import { startRuntime, type Runtime } from '../core/runtime.ts'
import { routeToFake } from '../core/sdk.ts'
import { ensureWorkspace } from '../core/tenancy/index.ts'
import { serverDatabase } from '../test/helpers/server-process.ts'
import { timedReceiver } from '../test/helpers/webhook-receiver.ts'
import { readFlags, runBench, UsageError } from './bench/options.ts'

interface Options { source: string, devices: number, events: number, json: boolean }

function parseOptions (argv: string[]): Options {
  const count = { type: 'count', min: 100, max: 1_000_000 } as const
  const flags = readFlags(argv, { source: { type: 'string' }, devices: count, events: count, json: { type: 'boolean' } })
  const options: Options = { source: flags.source ?? 'intune', devices: flags.devices ?? 20_000, events: flags.events ?? 2000, json: flags.json ?? false }
  if (!['intune', 'jamf'].includes(options.source)) throw new UsageError('--source must be intune or jamf')
  return options
}

const seconds = (ms: number) => Math.round(ms / 100) / 10
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

// ---- the Stocktake process, in a child ----------------------------------------------------------

type Request =
  | { op: 'start-sync' }
  | { op: 'run', runId: string }
  | { op: 'subscribe', url: string }
  | { op: 'burst', events: number }
type Message = { id: number, request: Request } | { id: number, result?: unknown, error?: string } | { ready: true }

/** The child: the real runtime (worker on) with the plugin's vendor routed to the fake; answers the parent's requests. */
async function runChild (source: string, fakeUrl: string): Promise<void> {
  const config = loadConfig(process.env)
  const runtime = await startRuntime({ ...config, runWorker: true }, { httpDispatcher: routeToFake(fakeUrl) })
  const handlers = requestHandlers(runtime, source)
  process.on('message', (message: Message) => {
    if (!('request' in message)) return
    handlers(message.request).then(
      result => process.send!({ id: message.id, result }),
      (err: Error) => process.send!({ id: message.id, error: err.stack ?? String(err) }))
  })
  process.send!({ ready: true })
}

function requestHandlers (runtime: Runtime, source: string) {
  const { app, db } = runtime
  return async (request: Request): Promise<unknown> => {
    const { workspace: ws } = await ensureWorkspace(db, 'bench')
    switch (request.op) {
      case 'start-sync': {
        // The fake runs in the parent, which passes the settings it accepts.
        const settings = JSON.parse(process.env.BENCH_FAKE_SETTINGS ?? '{}')
        const saved = await app.integrations.settings.save(ws.id, systemActor, app.integrations.plugin(source)!, settings, { enabled: true })
        if (!saved.ok) throw new Error(`settings refused: ${JSON.stringify(saved.errors)}`)
        return (await app.integrations.sync(ws.id, source)).id
      }
      case 'run': return await runState(db, ws.id, source, request.runId)
      case 'subscribe': return (await app.webhooks.create(ws.id, systemActor, { url: request.url, events: ['hardware.created'] })).subscription.id
      case 'burst': {
        for (let i = 0; i < request.events; i++) await app.registry.hardware.create(ws.id, systemActor, { serial: `BURST-${Date.now()}-${i}`, name: `Burst ${i}` })
        return request.events
      }
    }
  }
}

async function runState (db: Knex, workspaceId: string, source: string, runId: string) {
  const run = await db('integration_runs').where({ workspace_id: workspaceId, id: runId }).first() as RunRow
  const [{ n }] = await db('hardware').where({ workspace_id: workspaceId, source }).count({ n: '*' })
  return { status: run.status, attempt: run.attempt, created: run.created, read: run.read, message: run.message, rows: Number(n) }
}

class Child {
  private next = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  readonly exited: Promise<unknown>

  private constructor (readonly process: ChildProcess, readonly startedAt: number, readonly readyAt: number) {
    this.exited = once(process, 'exit')
    process.on('message', (message: Message) => {
      if (!('id' in message) || 'request' in message) return
      const waiter = this.waiting.get(message.id)
      this.waiting.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(message.error))
      else waiter?.resolve(message.result)
    })
  }

  static async start (env: Record<string, string>, source: string, fakeUrl: string): Promise<Child> {
    const startedAt = performance.now()
    const child = fork(fileURLToPath(import.meta.url), ['--child', source, fakeUrl], {
      execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    for (;;) {
      const [message] = await Promise.race([once(child, 'message'), once(child, 'exit').then(() => { throw new Error('the child exited before it was ready') })]) as [Message]
      if ('ready' in message) return new Child(child, startedAt, performance.now())
    }
  }

  async ask<T> (request: Request): Promise<T> {
    const id = this.next++
    const answer = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }))
    this.process.send({ id, request })
    return await answer as T
  }

  async kill (): Promise<number> {
    this.process.kill('SIGKILL')
    await this.exited
    return performance.now()
  }

  async stop (): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return
    this.process.kill('SIGTERM')
    await this.exited
  }
}

// ---- the database each part uses ------------------------------------------------------------------

/** A scratch database for one part (test/helpers/server-process.ts), dropped or removed by `close`. */
async function scratch () {
  const teardowns: Array<() => unknown> = []
  const database = await serverDatabase({ teardown: fn => teardowns.push(fn) }, { STOCKTAKE_WEBHOOK_ALLOW_PRIVATE: '1', STOCKTAKE_WORKER: '1', LOG_LEVEL: 'error' })
  return { ...database, close: async () => { for (const fn of teardowns.reverse()) await fn() } }
}

// ---- (a) a sync killed mid-run --------------------------------------------------------------------

type RunState = Awaited<ReturnType<typeof runState>>

async function until<T> (probe: () => Promise<T | false>, timeoutMs: number, what: string): Promise<T> {
  const started = performance.now()
  for (;;) {
    const value = await probe()
    if (value !== false) return value
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function syncKilled (options: Options, log: (line: string) => void) {
  const { startFake } = await import(pathToFileURL(path.join(BUILTIN_PLUGINS_DIR, options.source, 'fake.ts')).href)
  const fake = await startFake({ fleet: { size: options.devices } })
  const db = await scratch()
  try {
    const env = { ...db.env, BENCH_FAKE_SETTINGS: JSON.stringify(fake.settings) }
    const first = await Child.start(env, options.source, fake.url)
    const runId = await first.ask<string>({ op: 'start-sync' })
    const third = Math.floor(options.devices / 3)
    const atKill = await until(async () => { const s = await first.ask<RunState>({ op: 'run', runId }); return s.created >= third && s }, 300_000, 'a third of the devices')
    const killedAt = await first.kill()
    // Read with no process running: what the killed process left.
    const left = await db.read(async d => {
      const run = await d('integration_runs').where({ id: runId }).first() as RunRow
      const [{ n }] = await d('hardware').where({ workspace_id: run.workspace_id, source: options.source }).count({ n: '*' })
      return { status: run.status, created: run.created, rows: Number(n) }
    })
    log(`(a) killed mid-sync after ${atKill.created.toLocaleString('en')} of ${options.devices.toLocaleString('en')} devices: the run says ${left.created.toLocaleString('en')} created, the register has ${left.rows.toLocaleString('en')} rows (${left.status})`)
    const second = await Child.start(env, options.source, fake.url)
    const resumed = await until(async () => { const s = await second.ask<RunState>({ op: 'run', runId }); return (s.attempt > 1 || s.status !== 'running') && s }, 120_000, 'the run to be resumed')
    const resumedAt = performance.now()
    const done = await until(async () => { const s = await second.ask<RunState>({ op: 'run', runId }); return !['queued', 'running', 'retry_scheduled'].includes(s.status) && s }, 600_000, 'the run to end')
    const doneAt = performance.now()
    await second.stop()
    const result = {
      devices: options.devices,
      countsEqualRowsAtKill: left.created === left.rows,
      atKill: left,
      restartSeconds: seconds(second.readyAt - second.startedAt),
      resumedAfterRestartSeconds: seconds(resumedAt - second.startedAt),
      resumedAfterKillSeconds: seconds(resumedAt - killedAt),
      resumedAs: { status: resumed.status, attempt: resumed.attempt },
      completedAfterRestartSeconds: seconds(doneAt - second.startedAt),
      end: done,
      countsEqualRowsAtEnd: done.created === done.rows && done.rows === options.devices
    }
    log(`    restart: process ready in ${result.restartSeconds} s; run resumed (attempt ${resumed.attempt}) ${result.resumedAfterRestartSeconds} s after the restart (${result.resumedAfterKillSeconds} s after the kill); completed ${result.completedAfterRestartSeconds} s after the restart`)
    log(`    end: ${done.status}, ${done.created.toLocaleString('en')} created, ${done.rows.toLocaleString('en')} rows: counts ${result.countsEqualRowsAtEnd ? '=' : '≠'} rows`)
    return result
  } finally {
    await db.close()
    await fake.close()
  }
}

// ---- (b) a burst of webhook deliveries killed mid-way ----------------------------------------------

async function deliveriesKilled (options: Options, log: (line: string) => void) {
  const hook = await timedReceiver(300)
  const db = await scratch()
  try {
    const first = await Child.start(db.env, options.source, 'http://127.0.0.1:9')
    await first.ask({ op: 'subscribe', url: hook.url })
    await first.ask({ op: 'burst', events: options.events })
    await until(async () => hook.firstSeen.size >= options.events / 5 || false, 300_000, 'a fifth of the deliveries')
    const killedAt = await first.kill()
    const before = hook.firstSeen.size
    const second = await Child.start(db.env, options.source, 'http://127.0.0.1:9')
    const firstAt = await until(async () => hook.arrivals.find(at => at > killedAt) ?? false, 600_000, 'a delivery after the restart')
    await until(async () => hook.firstSeen.size >= options.events || false, 600_000, 'every delivery')
    const lastAt = Math.max(...hook.firstSeen.values())
    const newAt = performance.now()
    await second.ask({ op: 'burst', events: 1 })
    await until(async () => hook.firstSeen.size > options.events || false, 600_000, 'the new event')
    const newDeliveredAt = Math.max(...hook.firstSeen.values())
    await second.stop()
    const result = {
      events: options.events,
      deliveredBeforeKill: before,
      restartSeconds: seconds(second.readyAt - second.startedAt),
      firstDeliveryAfterRestartSeconds: seconds(firstAt - second.startedAt),
      allDeliveredAfterRestartSeconds: seconds(lastAt - second.startedAt),
      newEventDeliveredSeconds: seconds(newDeliveredAt - newAt)
    }
    log(`(b) killed mid-burst after ${before.toLocaleString('en')} of ${options.events.toLocaleString('en')} deliveries; restart: process ready in ${result.restartSeconds} s, first delivery ${result.firstDeliveryAfterRestartSeconds} s after the restart, all delivered ${result.allDeliveredAfterRestartSeconds} s after it; an event made after the restart delivered in ${result.newEventDeliveredSeconds} s`)
    return result
  } finally {
    await db.close()
    await hook.close()
  }
}

async function main (options: Options): Promise<void> {
  const log = (line: string) => { if (!options.json) console.log(line) }
  const database = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL), a scratch database per part' : 'embedded PGlite in a temporary data folder, held by the child'
  log(`Crash recovery on ${database}; ${os.cpus().length} CPUs, load average ${os.loadavg().map(n => n.toFixed(1)).join(' ')}`)
  const sync = await syncKilled(options, log)
  const deliveries = await deliveriesKilled(options, log)
  if (options.json) console.log(JSON.stringify({ database, source: options.source, sync, deliveries, machine: { cpus: os.cpus().length, loadAverage: os.loadavg() } }, null, 2))
}

const childAt = process.argv.indexOf('--child')
if (childAt !== -1) {
  await runChild(process.argv[childAt + 1], process.argv[childAt + 2])
} else {
  await runBench('bench-recovery', 'npx tsx scripts/bench-recovery.ts [--source intune|jamf] [--devices N] [--events N] [--json]', async () => await main(parseOptions(process.argv.slice(2))))
}
