// drainSync: runs a connector's sync into an in-memory sink with the core's counting rules, so a
// plugin's tests see the same created / updated / unchanged / errors a real run would report.
import type { Connector, ConnectorContext } from './contract.ts'
import { canonicalFields, MODELS, recordProblem, type CanonicalRecord, type Checkpoint, type Model } from './records.ts'

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

export interface DrainResult {
  created: number
  updated: number
  unchanged: number
  deleted: number
  errors: Array<{ externalId: string, reason: string }>
  /** In the order they were reached; each only after every record before it was counted. */
  checkpoints: Checkpoint[]
  records: MemoryStore
}

function isFlat (value: unknown): value is Checkpoint {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.values(value).every(v => ['string', 'number', 'boolean'].includes(typeof v))
}

export async function drainSync (connector: Connector, ctx: ConnectorContext, options: DrainOptions): Promise<DrainResult> {
  if (connector.sync === undefined) throw new TypeError('this connector has no sync capability')
  const store = options.store ?? createMemoryStore()
  const result: DrainResult = { created: 0, updated: 0, unchanged: 0, deleted: 0, errors: [], checkpoints: [], records: store }
  const checkModel = (model: unknown): Model => {
    if (!MODELS.includes(model as Model)) throw new TypeError(`sync message names unknown model ${String(model)}`)
    if (options.permissions !== undefined && !options.permissions.includes(`${String(model)}:write`)) {
      throw new TypeError(`sync wrote model ${String(model)} without the ${String(model)}:write permission`)
    }
    return model as Model
  }

  for await (const message of connector.sync(ctx, { syncId: options.syncId, checkpoint: options.checkpoint ?? null })) {
    switch (message.type) {
      case 'upsert': {
        const records = store[checkModel(message.model)]
        for (const [i, record] of message.records.entries()) {
          const problem = recordProblem(message.model, record)
          const externalId = typeof record?.externalId === 'string' ? record.externalId : `(record ${i})`
          if (problem !== null) {
            result.errors.push({ externalId, reason: problem })
            continue
          }
          const before = records.get(externalId)
          if (before === undefined) result.created++
          else if (canonicalFields(before) === canonicalFields(record)) result.unchanged++
          else result.updated++
          records.set(externalId, record)
        }
        break
      }
      case 'delete': {
        const records = store[checkModel(message.model)]
        for (const externalId of message.externalIds) if (records.delete(externalId)) result.deleted++
        break
      }
      case 'checkpoint':
        if (!isFlat(message.value)) throw new TypeError('a checkpoint must be a flat object of strings, numbers and booleans')
        result.checkpoints.push({ ...message.value })
        break
      case 'skip':
        result.errors.push({ externalId: message.externalId, reason: message.reason })
        break
      default:
        throw new TypeError(`unknown sync message type ${String((message as { type?: unknown }).type)}`)
    }
  }
  return result
}
