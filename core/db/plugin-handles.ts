// The knex handle a plugin gets outside a transaction (its routes' `db`, a page's `tools.db`):
// every query built from it runs in a transaction of its own that searches only the plugin's
// schema. Not a pool of its own with a search_path per connection: the embedded database has
// one session behind every connection, so a session-wide setting would reach the core's queries.
import type { Knex } from 'knex'
import { searchPluginSchema } from './plugin-schema.ts'

type Executable = Knex.QueryBuilder | Knex.Raw

const isExecutable = (value: unknown): value is Executable =>
  typeof value === 'function' || (typeof value === 'object' && value !== null)
    ? typeof (value as Executable).transacting === 'function' && typeof (value as Executable).then === 'function'
    : false

/** What a plugin may not do with its handle: change the schema, or hold a transaction without a callback. */
const REFUSED = new Set(['schema', 'migrate', 'seed', 'destroy', 'initialize'])

export function confinedHandle (db: Knex, pluginId: string): Knex {
  const inSchema = async <T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> =>
    await db.transaction(async trx => {
      await searchPluginSchema(trx, pluginId)
      return await work(trx)
    })

  function confine<Q> (built: Q): Q {
    if (!isExecutable(built)) return built
    const execute = built.then.bind(built) as (resolve: (value: unknown) => void, reject: (err: unknown) => void) => unknown
    Object.defineProperty(built, 'then', {
      configurable: true,
      value: (onFulfilled?: (value: unknown) => unknown, onRejected?: (err: unknown) => unknown) =>
        inSchema(async trx => {
          built.transacting(trx)
          return await new Promise((resolve, reject) => { execute(resolve, reject) })
        }).then(onFulfilled, onRejected)
    })
    return built
  }

  return new Proxy(db, {
    apply: (target, self, args: unknown[]) => confine(Reflect.apply(target, self, args)),
    get (target, property, receiver) {
      if (property === 'transaction') {
        return async <T>(work: unknown) => {
          if (typeof work !== 'function') throw new Error('A plugin opens a transaction with a callback: db.transaction(async trx => …)')
          return await inSchema(work as (trx: Knex.Transaction) => Promise<T>)
        }
      }
      if (typeof property === 'string' && REFUSED.has(property)) throw new Error(`A plugin's database handle has no ${property}: its tables come from its migrations/ folder`)
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => confine(Reflect.apply(value, target, args))
    }
  })
}

export interface PluginHandles {
  /** The plugin's handle, made on first use. */
  of: (pluginId: string) => Knex
}

export function pluginHandles (db: Knex): PluginHandles {
  const handles = new Map<string, Knex>()
  return {
    of (pluginId) {
      let handle = handles.get(pluginId)
      if (handle === undefined) handles.set(pluginId, handle = confinedHandle(db, pluginId))
      return handle
    }
  }
}
