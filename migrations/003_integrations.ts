import type { Knex } from 'knex'

// Per workspace and plugin: settings (secrets encrypted), runs with their counts, sync
// checkpoints, and the plugins' TTL cache.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integrations (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      enabled boolean NOT NULL DEFAULT false,
      settings jsonb NOT NULL DEFAULT '{}',
      -- field name -> ciphertext (core/secrets); never sent to a browser or an API response
      secrets jsonb NOT NULL DEFAULT '{}',
      needs_attention boolean NOT NULL DEFAULT false,
      last_test_at timestamptz,
      last_test_ok boolean,
      last_test_message text,
      schedule_minutes int CHECK (schedule_minutes > 0),
      next_sync_at timestamptz,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, plugin_id)
    );
    CREATE INDEX integrations_due_idx ON integrations (next_sync_at) WHERE enabled AND schedule_minutes IS NOT NULL;

    CREATE TABLE integration_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('test', 'sync')),
      sync_id text,
      trigger text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'schedule', 'cli', 'api')),
      dry_run boolean NOT NULL DEFAULT false,
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'retry_scheduled')),
      created int NOT NULL DEFAULT 0,
      updated int NOT NULL DEFAULT 0,
      unchanged int NOT NULL DEFAULT 0,
      skipped int NOT NULL DEFAULT 0,
      errors int NOT NULL DEFAULT 0,
      error_details jsonb NOT NULL DEFAULT '[]',
      message text,
      retry_at timestamptz,
      started_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- One run at a time per workspace and plugin, enforced by the database.
    CREATE UNIQUE INDEX integration_runs_one_active_key ON integration_runs (workspace_id, plugin_id)
      WHERE status IN ('queued', 'running');
    CREATE INDEX integration_runs_recent_idx ON integration_runs (workspace_id, plugin_id, created_at DESC);

    CREATE TABLE integration_state (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      sync_id text NOT NULL,
      checkpoint jsonb NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, plugin_id, sync_id)
    );

    CREATE TABLE integration_cache (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      key text NOT NULL,
      value jsonb NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, plugin_id, key)
    );
    CREATE INDEX integration_cache_expiry_idx ON integration_cache (expires_at);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS integration_cache, integration_state, integration_runs, integrations')
}
