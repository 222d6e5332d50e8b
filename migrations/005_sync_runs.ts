import type { Knex } from 'knex'

// Sync runs: live progress (records read), a dry run's planned changes, the count badge a plugin
// reports for its card, a retrying run keeping its slot, and the vendor's id of an imported seat (so a sync can revoke it).
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integration_runs
      ADD COLUMN read int NOT NULL DEFAULT 0,
      ADD COLUMN deleted int NOT NULL DEFAULT 0,
      ADD COLUMN preview jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN attempt int NOT NULL DEFAULT 1;
    ALTER TABLE integrations
      ADD COLUMN badge_count int CHECK (badge_count >= 0),
      ADD COLUMN last_sync_at timestamptz,
      ADD COLUMN last_sync_ok boolean;
    -- A run waiting to retry still holds the plugin's slot: a run never starts twice.
    DROP INDEX integration_runs_one_active_key;
    CREATE UNIQUE INDEX integration_runs_one_active_key ON integration_runs (workspace_id, plugin_id)
      WHERE status IN ('queued', 'running', 'retry_scheduled');
    ALTER TABLE software_assignments ADD COLUMN external_id text;
    CREATE INDEX software_assignments_external_idx ON software_assignments (workspace_id, source, external_id)
      WHERE external_id IS NOT NULL AND revoked_at IS NULL;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS software_assignments_external_idx;
    DROP INDEX integration_runs_one_active_key;
    CREATE UNIQUE INDEX integration_runs_one_active_key ON integration_runs (workspace_id, plugin_id)
      WHERE status IN ('queued', 'running');
    ALTER TABLE software_assignments DROP COLUMN IF EXISTS external_id;
    ALTER TABLE integrations DROP COLUMN IF EXISTS badge_count, DROP COLUMN IF EXISTS last_sync_at, DROP COLUMN IF EXISTS last_sync_ok;
    ALTER TABLE integration_runs DROP COLUMN IF EXISTS read, DROP COLUMN IF EXISTS deleted, DROP COLUMN IF EXISTS preview, DROP COLUMN IF EXISTS attempt;
  `)
}
