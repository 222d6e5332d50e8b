import type { Knex } from 'knex'

// Connector state that tells the truth. An integration needs attention after any failed Test
// connection or run, with the reason in words (attention_reason), until a later test or run
// succeeds; last_ok_at is when one last succeeded ("Connected" = saved, enabled, and the last test
// or run succeeded). Existing rows are judged by whichever of their last test and last sync is newer.
//
// A Test connection is never blocked by a sync waiting to retry: a plugin has one active test and
// one active sync at most (two partial unique indexes instead of one).
//
// A run names the pg-boss job that will execute it (job_id), so Cancel on a run that is queued or
// waiting to retry cancels that job too, and a retry never starts after it.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integrations
      ADD COLUMN attention_reason text,
      ADD COLUMN last_ok_at timestamptz;
    UPDATE integrations SET last_ok_at = greatest(
      CASE WHEN last_test_ok THEN last_test_at END,
      CASE WHEN last_sync_ok THEN last_sync_at END);
    UPDATE integrations SET needs_attention = true,
      attention_reason = CASE
        WHEN last_test_at IS NOT NULL AND (last_sync_at IS NULL OR last_test_at >= last_sync_at) THEN coalesce(last_test_message, 'The last connection test failed.')
        ELSE 'The last sync failed.' END
    WHERE needs_attention OR (CASE
        WHEN last_test_at IS NOT NULL AND (last_sync_at IS NULL OR last_test_at >= last_sync_at) THEN last_test_ok
        ELSE last_sync_ok END) = false;

    ALTER TABLE integration_runs ADD COLUMN job_id uuid NOT NULL DEFAULT gen_random_uuid();
    DROP INDEX integration_runs_one_active_key;
    CREATE UNIQUE INDEX integration_runs_one_active_key ON integration_runs (workspace_id, plugin_id)
      WHERE kind = 'sync' AND status IN ('queued', 'running', 'retry_scheduled');
    CREATE UNIQUE INDEX integration_runs_one_active_test_key ON integration_runs (workspace_id, plugin_id)
      WHERE kind = 'test' AND status IN ('queued', 'running', 'retry_scheduled');
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX integration_runs_one_active_test_key;
    DROP INDEX integration_runs_one_active_key;
    UPDATE integration_runs SET status = 'cancelled', finished_at = now(), message = 'Cancelled by the downgrade: one run per plugin again.'
    WHERE kind = 'test' AND status IN ('queued', 'running', 'retry_scheduled')
      AND EXISTS (SELECT 1 FROM integration_runs s WHERE s.workspace_id = integration_runs.workspace_id AND s.plugin_id = integration_runs.plugin_id
        AND s.kind = 'sync' AND s.status IN ('queued', 'running', 'retry_scheduled'));
    CREATE UNIQUE INDEX integration_runs_one_active_key ON integration_runs (workspace_id, plugin_id)
      WHERE status IN ('queued', 'running', 'retry_scheduled');
    ALTER TABLE integration_runs DROP COLUMN IF EXISTS job_id;
    ALTER TABLE integrations DROP COLUMN IF EXISTS attention_reason, DROP COLUMN IF EXISTS last_ok_at;
  `)
}
