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

/** Where valid records go: the register (a run) or memory (a plugin's test). */
export interface SyncSink {
  upsert: (model: Model, records: CanonicalRecord[]) => Promise<BatchCounts>
  /** Returns how many records the ids removed. */
  delete: (model: Model, externalIds: string[]) => Promise<number>
  /** Called only after every record before it has been written. */
  checkpoint: (value: Checkpoint) => Promise<void>
  /** After each message, with the totals so far (progress). */
  progress?: (counts: SyncCounts) => Promise<void>
}

export const emptyCounts = (): SyncCounts => ({ read: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: 0, errors: [] })

function isFlat (value: unknown): value is Checkpoint {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.values(value).every(v => ['string', 'number', 'boolean'].includes(typeof v))
}

const externalIdOf = (record: unknown, i: number): string =>
  typeof (record as { externalId?: unknown })?.externalId === 'string' ? (record as { externalId: string }).externalId : `(record ${i + 1})`

/**
 * Feeds a sync's messages to a sink: checks each model against the plugin's permissions,
 * validates every record against its canonical schema (invalid ones and `skip`s are errors with
 * their reason) and hands the valid rest to the sink batch by batch. Throws on a protocol error
 * (unknown model or message, a checkpoint that is not flat, a model not permitted).
 */
export async function drainMessages (messages: AsyncIterable<SyncMessage>, sink: SyncSink, permissions?: string[]): Promise<SyncCounts> {
  const counts = emptyCounts()
  const checkModel = (model: unknown): Model => {
    if (!MODELS.includes(model as Model)) throw new TypeError(`sync message names unknown model ${String(model)}`)
    if (permissions !== undefined && !permissions.includes(`${String(model)}:write`)) {
      throw new TypeError(`sync wrote model ${String(model)} without the ${String(model)}:write permission`)
    }
    return model as Model
  }

  for await (const message of messages) {
    switch (message.type) {
      case 'upsert': {
        const model = checkModel(message.model)
        const valid: CanonicalRecord[] = []
        for (const [i, record] of message.records.entries()) {
          counts.read++
          const skip = skipReason(model, record)
          const problem = skip === null ? recordProblem(model, record) : null
          if (skip !== null) counts.skipped++
          else if (problem !== null) counts.errors.push({ externalId: externalIdOf(record, i), reason: problem })
          else valid.push(record)
        }
        if (valid.length > 0) {
          const batch = await sink.upsert(model, valid)
          counts.created += batch.created
          counts.updated += batch.updated
          counts.unchanged += batch.unchanged
          counts.skipped += batch.skipped
          counts.errors.push(...batch.errors)
        }
        break
      }
      case 'delete':
        counts.deleted += await sink.delete(checkModel(message.model), message.externalIds)
        break
      case 'checkpoint':
        if (!isFlat(message.value)) throw new TypeError('a checkpoint must be a flat object of strings, numbers and booleans')
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
  return counts
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
}

export interface DrainResult extends SyncCounts {
  /** In the order they were reached; each only after every record before it was counted. */
  checkpoints: Checkpoint[]
  records: MemoryStore
}

/** A sink that keeps records in memory, telling updated from unchanged by their canonical fields. */
function memorySink (store: MemoryStore, checkpoints: Checkpoint[]): SyncSink {
  return {
    async upsert (model, records) {
      const batch: BatchCounts = { created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [] }
      for (const record of records) {
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
  const messages = connector.sync(ctx, { syncId: options.syncId, checkpoint: options.checkpoint ?? null })
  const counts = await drainMessages(messages, memorySink(records, checkpoints), options.permissions)
  return { ...counts, checkpoints, records }
}
