import type { Knex } from 'knex'

// Indexes of the register pages (core/pages/*, core/admin/list). A list page is one range of one
// index: every sort order is an index on (workspace_id, sort key, id), so a keyset page reads ~50
// index entries however deep it is. The expressions here must stay identical to the ones the
// queries use (core/pages/hardware/list.ts), or Postgres will not match them to the index.
export async function up (knex: Knex): Promise<void> {
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm')
  } catch (err) {
    throw new Error(`The PostgreSQL extension pg_trgm is needed for search (it ships with PostgreSQL's contrib modules): ${(err as Error).message}`)
  }
  await knex.raw(`
    CREATE INDEX hardware_name_sort_idx ON hardware (workspace_id, lower(name), id);
    CREATE INDEX hardware_model_sort_idx ON hardware (workspace_id, lower(model), id);
    CREATE INDEX hardware_status_sort_idx ON hardware (workspace_id, status, id);
    CREATE INDEX hardware_updated_sort_idx ON hardware (workspace_id, updated_at, id);
    -- Also orders each person's hardware by id (the assignee sort walks people by name, then
    -- this index), and unassigned hardware by id; it makes the (workspace_id, assigned_user_id) one redundant.
    CREATE INDEX hardware_assignee_sort_idx ON hardware (workspace_id, assigned_user_id, id);
    DROP INDEX hardware_workspace_assignee_idx;

    CREATE INDEX hardware_category_idx ON hardware (workspace_id, category);
    CREATE INDEX hardware_manufacturer_idx ON hardware (workspace_id, manufacturer);
    CREATE INDEX hardware_source_idx ON hardware (workspace_id, source);

    -- Substring search ("000123" finds ASSET-000123, "book" finds MacBook): trigram indexes serve
    -- LIKE '%term%'. Not partitioned by workspace: the hardware query filters on it afterwards.
    CREATE INDEX hardware_search_idx ON hardware
      USING gin (lower(asset_tag || ' ' || serial || ' ' || name || ' ' || coalesce(model, '')) gin_trgm_ops);
    CREATE INDEX users_search_idx ON users
      USING gin (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || email) gin_trgm_ops);
    CREATE INDEX users_sort_name_idx ON users (workspace_id, lower(coalesce(last_name, '')), lower(coalesce(first_name, '')), lower(email));
  `)
}

export async function down (knex: Knex): Promise<void> {
  // pg_trgm stays: dropping an extension is the database owner's call, not a migration's.
  await knex.raw(`
    CREATE INDEX IF NOT EXISTS hardware_workspace_assignee_idx ON hardware (workspace_id, assigned_user_id);
    DROP INDEX IF EXISTS hardware_name_sort_idx, hardware_model_sort_idx, hardware_status_sort_idx,
      hardware_updated_sort_idx, hardware_assignee_sort_idx, hardware_category_idx, hardware_manufacturer_idx,
      hardware_source_idx, hardware_search_idx, users_search_idx, users_sort_name_idx;
  `)
}
