// Draining a sync: one loop, shared by the core's runs (a database sink) and plugin tests
// (drainSync's in-memory sink), so both count created / updated / unchanged / skipped / errors alike.
import type { Connector, ConnectorContext } from './contract.ts'
import { canonicalFields, MODELS, recordProblem, skipReason, type CanonicalRecord, type Checkpoint, type Model, type SyncMessage } from './records.ts'

export interface RecordError { externalId: string, reason: string }

export interface SyncCounts {
  /** Records the connector sent (valid or not). */
  read: number
  created: number
  updated: number
  unchanged: number
  deleted: number
  /** Records the core passes over by rule, e.g. a device without a serial. */
  skipped: number
  errors: RecordError[]
}

/** What a sink reports for one batch of valid records. */
export type BatchCounts = Omit<SyncCounts, 'read' | 'deleted'>

/**
 * Where valid records go: the register (a run) or memory (a plugin's test). `before` is the drain's
 * totals so far without this batch (read-only), so a sink can record the counts with the rows.
 */
export interface SyncSink {
  upsert: (model: Model, records: CanonicalRecord[], before: SyncCounts) => Promise<BatchCounts>
  /** Returns how many records the ids removed. */
  delete: (model: Model, externalIds: string[], before: SyncCounts) => Promise<number>
  /** Called only after every record before it has been written. */
  checkpoint: (value: Checkpoint) => Promise<void>
  /** After each message and each batch written, with the totals so far (progress). */
  progress?: (counts: SyncCounts) => Promise<void>
}

export const emptyCounts = (): SyncCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0, errors: [] })

function isFlat (value: unknown): value is Checkpoint {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.values(value).every(v => ['string', 'number', 'boolean'].includes(typeof v))
}

const externalIdOf = (record: unknown, i: number): string =>
  typeof (record as { externalId?: unknown })?.externalId === 'string' ? (record as { externalId: string }).externalId : `(record ${i + 1})`

export interface DrainLoopOptions {
  /** When given (the plugin's manifest), a sync may only write models it declared `<model>:write` for. */
  permissions?: string[]
  /**
   * Valid records are gathered across messages and handed to the sink this many at a time (and
   * before a checkpoint, a delete or another model, and at the end), so that a vendor's small
   * pages still make big batches. Default: each message's records as they come.
   */
  batchSize?: number
}

/** One drain's state: the counts, and valid records waiting for the sink (see `batchSize`). */
class DrainLoop {
  readonly counts = emptyCounts()
  private pending: { model: Model, records: CanonicalRecord[] } | null = null

  constructor (private readonly sink: SyncSink, private readonly options: DrainLoopOptions) {}

  async handle (message: SyncMessage): Promise<void> {
    const { counts, sink } = this
    switch (message.type) {
      case 'upsert': {
        const model = this.checkModel(message.model)
        const valid: CanonicalRecord[] = []
        for (const [i, record] of message.records.entries()) {
          counts.read++
          const skip = skipReason(model, record)
          const problem = skip === null ? recordProblem(model, record) : null
          if (skip !== null) counts.skipped++
          else if (problem !== null) counts.errors.push({ externalId: externalIdOf(record, i), reason: problem })
          else valid.push(record)
        }
        if (this.pending !== null && this.pending.model !== model) await this.flush()
        if (valid.length > 0) {
          if (this.pending === null) this.pending = { model, records: valid }
          else this.pending.records.push(...valid)
        }
        if (this.pending !== null && this.pending.records.length >= (this.options.batchSize ?? 0)) await this.flush()
        break
      }
      case 'delete':
        await this.flush()
        counts.deleted += await sink.delete(this.checkModel(message.model), message.externalIds, counts)
        break
      case 'checkpoint':
        if (!isFlat(message.value)) throw new TypeError('a checkpoint must be a flat object of strings, numbers and booleans')
        await this.flush()
        await sink.checkpoint({ ...message.value })
        break
      case 'skip':
        counts.read++
        counts.errors.push({ externalId: message.externalId, reason: message.reason })
        break
      default:
        throw new TypeError(`unknown sync message type ${String((message as { type?: unknown }).type)}`)
    }
    await sink.progress?.(counts)
  }

  /** Hands the waiting records to the sink. */
  async flush (): Promise<void> {
    if (this.pending === null) return
    const { model, records } = this.pending
    this.pending = null
    const batch = await this.sink.upsert(model, records, this.counts)
    this.counts.created += batch.created
    this.counts.updated += batch.updated
    this.counts.unchanged += batch.unchanged
    this.counts.skipped += batch.skipped
    this.counts.errors.push(...batch.errors)
    await this.sink.progress?.(this.counts)
  }

  private checkModel (model: unknown): Model {
    const { permissions } = this.options
    if (!MODELS.includes(model as Model)) throw new TypeError(`sync message names unknown model ${String(model)}`)
    if (permissions !== undefined && !permissions.includes(`${String(model)}:write`)) {
      throw new TypeError(`sync wrote model ${String(model)} without the ${String(model)}:write permission`)
    }
    return model as Model
  }
}

/**
 * Feeds a sync's messages to a sink: checks each model against the plugin's permissions,
 * validates every record against its canonical schema (invalid ones and `skip`s are errors with
 * their reason) and hands the valid rest to the sink batch by batch. Throws on a protocol error
 * (unknown model or message, a checkpoint that is not flat, a model not permitted). When the sync
 * itself fails, the records it sent before are written first, then its failure is thrown.
 */
export async function drainMessages (messages: AsyncIterable<SyncMessage>, sink: SyncSink, options: DrainLoopOptions = {}): Promise<SyncCounts> {
  const loop = new DrainLoop(sink, options)
  const iterator = messages[Symbol.asyncIterator]()
  let ended = false
  try {
    for (;;) {
      let next: IteratorResult<SyncMessage>
      try {
        next = await iterator.next()
      } catch (err) {
        ended = true
        await loop.flush()
        throw err
      }
      if (next.done === true) break
      await loop.handle(next.value)
    }
    ended = true
  } finally {
    // A protocol error or a failed write stops the sync: end its iterable too.
    if (!ended) await iterator.return?.()?.catch(() => {})
  }
  await loop.flush()
  return loop.counts
}

/**
 * Iterates `source` one message ahead: while the caller handles a message (writes a page), the
 * source is already producing the next one (fetching the next page). Never more than one ahead.
 */
export async function * readAhead<T> (source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let next = iterator.next()
  let done = false
  try {
    for (;;) {
      const result = await next
      if (result.done === true) {
        done = true
        return
      }
      next = iterator.next()
      // Its failure is thrown when it is awaited; until then it must not count as unhandled.
      next.catch(() => {})
      yield result.value
    }
  } finally {
    // The caller stopped early (or failed): end the source once its message in flight settles.
    if (!done) next.then(async () => await iterator.return?.(), () => {}).catch(() => {})
  }
}

/** Records by model and externalId: pass one store to successive drains to test re-runs. */
export type MemoryStore = Record<Model, Map<string, CanonicalRecord>>

export function createMemoryStore (): MemoryStore {
  return { device: new Map(), person: new Map(), seat: new Map() }
}

export interface DrainOptions {
  syncId: string
  checkpoint?: Checkpoint | null
  /** Records from earlier runs (default: empty). */
  store?: MemoryStore
  /** When given (the plugin's manifest), a sync may only write models it declared `<model>:write` for. */
  permissions?: string[]
  /**
   * The models the sync tracks deletes of (a manifest's `trackDeletes`): `wouldRemove` lists the
   * store's records of them the drain did not see, as a core run would remove them (a drain with
   * record errors, or from a checkpoint, removes nothing). The store keeps them.
   */
  trackDeletes?: Model[]
}

export interface DrainResult extends SyncCounts {
  /** In the order they were reached; each only after every record before it was counted. */
  checkpoints: Checkpoint[]
  records: MemoryStore
  /** By model (see `trackDeletes`): the externalIds a run would remove. */
  wouldRemove: Record<Model, string[]>
}

/** A sink that keeps records in memory, telling updated from unchanged by their canonical fields. */
function memorySink (store: MemoryStore, checkpoints: Checkpoint[], seen: MemoryStore): SyncSink {
  return {
    async upsert (model, records) {
      const batch: BatchCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [] }
      for (const record of records) {
        seen[model].set(record.externalId, record)
        const before = store[model].get(record.externalId)
        if (before === undefined) batch.created++
        else if (canonicalFields(before) === canonicalFields(record)) batch.unchanged++
        else batch.updated++
        store[model].set(record.externalId, record)
      }
      return batch
    },
    async delete (model, externalIds) {
      return externalIds.filter(id => store[model].delete(id)).length
    },
    async checkpoint (value) { checkpoints.push(value) }
  }
}

/** Runs a connector's sync into memory with the core's counting rules, for a plugin's own tests. */
export async function drainSync (connector: Connector, ctx: ConnectorContext, options: DrainOptions): Promise<DrainResult> {
  if (connector.sync === undefined) throw new TypeError('this connector has no sync capability')
  const records = options.store ?? createMemoryStore()
  const checkpoints: Checkpoint[] = []
  const seen = createMemoryStore()
  const messages = connector.sync(ctx, { syncId: options.syncId, checkpoint: options.checkpoint ?? null })
  const counts = await drainMessages(messages, memorySink(records, checkpoints, seen), { permissions: options.permissions })
  const complete = counts.errors.length === 0 && (options.checkpoint ?? null) === null
  const unseen = (model: Model) => complete && (options.trackDeletes ?? []).includes(model) ? [...records[model].keys()].filter(id => !seen[model].has(id)) : []
  return { ...counts, checkpoints, records, wouldRemove: { device: [], person: unseen('person'), seat: unseen('seat') } }
}
