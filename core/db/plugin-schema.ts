// Each plugin's tables live in a PostgreSQL schema of its own, and the handles a plugin gets
// search only that schema: a plugin query that names a core table (`users`, `hardware`) fails
// with "relation does not exist" instead of quietly reading the register behind the SDK's back.
import type { Knex } from 'knex'

/** The schema holding a plugin's tables: `plugin_<id>` with dashes as underscores. */
export const pluginSchema = (pluginId: string): string => `plugin_${pluginId.replace(/-/g, '_')}`

/** Confines the rest of this transaction's plugin statements to the plugin's schema. */
export async function searchPluginSchema (trx: Knex.Transaction, pluginId: string): Promise<void> {
  await trx.raw('SET LOCAL search_path TO ??', [pluginSchema(pluginId)])
}

/** Back to the core's tables for the rest of this transaction (or until searchPluginSchema). */
export async function searchCoreSchema (trx: Knex.Transaction): Promise<void> {
  await trx.raw('SET LOCAL search_path TO public')
}

/**
 * Creates the plugin's schema; on the first start after an upgrade, moves the plugin's tables
 * (`<id>_…`, as plugins named them before they had a schema) out of public into it. Runs only
 * while the schema does not exist yet, so it happens once.
 */
export async function preparePluginSchema (db: Knex, pluginId: string): Promise<void> {
  const schema = pluginSchema(pluginId)
  await db.transaction(async trx => {
    const exists = await trx.raw('SELECT 1 FROM pg_namespace WHERE nspname = ?', [schema])
    if (exists.rows.length > 0) return
    await trx.raw('CREATE SCHEMA ??', [schema])
    const prefix = `${pluginId.replace(/-/g, '_')}\\_%`
    const legacy = await trx.raw('SELECT tablename FROM pg_tables WHERE schemaname = \'public\' AND tablename LIKE ? ORDER BY tablename', [prefix])
    for (const { tablename } of legacy.rows as Array<{ tablename: string }>) {
      await trx.raw('ALTER TABLE ?? SET SCHEMA ??', [`public.${tablename}`, schema])
    }
  })
}
