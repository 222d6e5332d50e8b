import type { Knex } from 'knex'

// Deletions in full syncs (issue 18). A sync declared with `trackDeletes` removes, when a full run
// completes, the records the plugin created or linked and did not see (person → inactive, seat →
// revoked), unless the mass-removal guard holds them for an admin's review.
// - integration_run_seen: the external ids a run saw, per model, staged set-based as the pages
//   come; the removals are one anti-join against it at completion. Rows live as long as the run
//   is active (swept like integration_run_devices).
// - integration_runs.full_passes: the syncs this run read from the top (no checkpoint of an
//   earlier run): only those may remove anything, and a resumed attempt keeps them.
// - integration_runs.review: a run whose removals the guard held ('pending'), and what became of
//   them ('confirmed', 'dismissed', 'superseded' by a newer run), and why in words (review_reason).
//   integration_removals keeps the
//   exact removals it computed, so Confirm applies those and not a recomputation.
// - integrations.removal_guard_percent: the share of the plugin's records a run may remove
//   without review (default 20).
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integration_run_seen (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      run_id uuid NOT NULL REFERENCES integration_runs(id) ON DELETE CASCADE,
      model text NOT NULL,
      external_id text NOT NULL,
      PRIMARY KEY (run_id, model, external_id)
    );
    ALTER TABLE integration_runs
      ADD COLUMN full_passes text[] NOT NULL DEFAULT '{}',
      ADD COLUMN review text CHECK (review IN ('pending', 'confirmed', 'dismissed', 'superseded')),
      ADD COLUMN review_reason text;
    CREATE INDEX integration_runs_review_idx ON integration_runs (workspace_id, plugin_id, created_at) WHERE review = 'pending';
    CREATE TABLE integration_removals (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      run_id uuid NOT NULL REFERENCES integration_runs(id) ON DELETE CASCADE,
      model text NOT NULL,
      external_id text NOT NULL,
      label text NOT NULL,
      PRIMARY KEY (run_id, model, external_id)
    );
    ALTER TABLE integrations
      ADD COLUMN removal_guard_percent int NOT NULL DEFAULT 20 CHECK (removal_guard_percent BETWEEN 0 AND 100);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE integrations DROP COLUMN IF EXISTS removal_guard_percent;
    DROP TABLE IF EXISTS integration_removals;
    DROP INDEX IF EXISTS integration_runs_review_idx;
    ALTER TABLE integration_runs DROP COLUMN IF EXISTS full_passes, DROP COLUMN IF EXISTS review, DROP COLUMN IF EXISTS review_reason;
    DROP TABLE IF EXISTS integration_run_seen;
  `)
}
