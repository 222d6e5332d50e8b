// The knex handle a plugin gets outside a transaction (its routes' `db`, a page's `tools.db`),
// searching only the plugin's schema. On a PostgreSQL server: a pool of its own whose connections
// search that schema (no cost per statement). On the embedded database, which has one session
// behind every connection (a session-wide setting would reach the core's queries): each query
// runs in a transaction of its own that sets the search path locally.
import knexFactory, { type Knex } from 'knex'
import { pluginSchema, searchPluginSchema } from './plugin-schema.ts'

type Executable = Knex.QueryBuilder | Knex.Raw

/** A query builder or raw query (functions too: knex builders are callable), not a plain value such as db.fn. */
function isExecutable (value: unknown): value is Executable {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false
  const built = value as Executable
  return typeof built.transacting === 'function' && typeof built.then === 'function'
}

/** What a plugin may not do with its handle: change the schema, or hold a transaction without a callback. */
const REFUSED = new Set(['schema', 'migrate', 'seed', 'destroy', 'initialize'])

/** Refuses what a plugin may not do with its handle (change the schema, open a transaction without a callback); `confine` wraps what it builds. */
function guarded (db: Knex, confine: <Q>(built: Q) => Q, transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>): Knex {
  return new Proxy(db, {
    apply: (target, self, args: unknown[]) => confine(Reflect.apply(target, self, args)),
    get (target, property, receiver) {
      if (property === 'transaction') {
        return async <T>(work: unknown) => {
          if (typeof work !== 'function') throw new Error('A plugin opens a transaction with a callback: db.transaction(async trx => …)')
          return await transaction(work as (trx: Knex.Transaction) => Promise<T>)
        }
      }
      if (typeof property === 'string' && REFUSED.has(property)) throw new Error(`A plugin's database handle has no ${property}: its tables come from its migrations/ folder`)
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => confine(Reflect.apply(value, target, args))
    }
  })
}

/** The embedded database's handle: each query in a transaction of its own with the search path set locally. */
export function perStatementHandle (db: Knex, pluginId: string): Knex {
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

  return guarded(db, confine, inSchema)
}

export interface PluginHandles {
  /** The plugin's handle, made on first use. */
  of: (pluginId: string) => Knex
  /** Closes the plugins' pools (a PostgreSQL server's). */
  destroy: () => Promise<void>
}

export function pluginHandles (db: Knex, { embedded }: { embedded: boolean }): PluginHandles {
  const handles = new Map<string, Knex>()
  const pools: Knex[] = []
  const config = db.client.config as Knex.Config
  function make (pluginId: string): Knex {
    if (embedded) return perStatementHandle(db, pluginId)
    const pool = knexFactory({ ...config, searchPath: [pluginSchema(pluginId)], pool: { ...config.pool, min: 0 } })
    pools.push(pool)
    return guarded(pool, built => built, async work => await pool.transaction(work))
  }
  return {
    of (pluginId) {
      let handle = handles.get(pluginId)
      if (handle === undefined) handles.set(pluginId, handle = make(pluginId))
      return handle
    },
    async destroy () {
      await Promise.all(pools.splice(0).map(async pool => await pool.destroy()))
      handles.clear()
    }
  }
}
