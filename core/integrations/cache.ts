import type { Knex } from 'knex'
import type { ConnectorCache } from '../sdk/contract.ts'

/** ctx.cache: a TTL cache in the database, per workspace and plugin; expired rows read as absent. */
export function databaseCache (db: Knex, workspaceId: string, pluginId: string): ConnectorCache {
  const scope = { workspace_id: workspaceId, plugin_id: pluginId }
  return {
    async get<T> (key: string) {
      const row = await db('integration_cache').where({ ...scope, key }).where('expires_at', '>', db.fn.now()).first('value')
      return row?.value as T | undefined
    },
    async set (key, value, ttlSeconds) {
      await db('integration_cache')
        .insert({ ...scope, key, value: JSON.stringify(value), expires_at: db.raw('now() + make_interval(secs => ?)', [ttlSeconds]) })
        .onConflict(['workspace_id', 'plugin_id', 'key']).merge(['value', 'expires_at'])
    },
    async delete (key) {
      await db('integration_cache').where({ ...scope, key }).delete()
    }
  }
}

/** The expiry sweep: one statement, run by a scheduled job. */
export async function sweepExpiredCache (db: Knex): Promise<number> {
  return await db('integration_cache').where('expires_at', '<=', db.fn.now()).delete()
}
