import type { Knex } from 'knex'

// Crash recovery. Every Stocktake process registers itself and beats a heartbeat, with the ids of
// the pg-boss jobs it has in hand (core/jobs/workers.ts), so the jobs and claims of a process that
// is gone can be told from a live one's and handed back. A run is leased by the process executing
// it (which process, which execution, until when); a lapsed lease means its worker is gone. A run
// can be cancelled. A webhook delivery's claim names the process that holds it.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE job_workers (
      id uuid PRIMARY KEY,
      host text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      -- The start of the transaction that wrote jobs: the list is at least as new as this.
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      -- The pg-boss jobs the process is working on.
      jobs uuid[] NOT NULL DEFAULT '{}',
      -- Set once, by the sweep that found it gone and handed back what it held.
      gone_at timestamptz
    );

    ALTER TABLE integration_runs
      ADD COLUMN worker_id uuid,
      ADD COLUMN lease_id uuid,
      ADD COLUMN lease_until timestamptz;
    ALTER TABLE integration_runs DROP CONSTRAINT integration_runs_status_check;
    ALTER TABLE integration_runs ADD CONSTRAINT integration_runs_status_check
      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'retry_scheduled', 'cancelled'));

    ALTER TABLE webhook_deliveries ADD COLUMN claimed_by uuid;
    CREATE INDEX webhook_deliveries_claimed_by_idx ON webhook_deliveries (claimed_by) WHERE claimed_by IS NOT NULL;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS webhook_deliveries_claimed_by_idx;
    ALTER TABLE webhook_deliveries DROP COLUMN IF EXISTS claimed_by;
    UPDATE integration_runs SET status = 'failed' WHERE status = 'cancelled';
    ALTER TABLE integration_runs DROP CONSTRAINT integration_runs_status_check;
    ALTER TABLE integration_runs ADD CONSTRAINT integration_runs_status_check
      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'retry_scheduled'));
    ALTER TABLE integration_runs DROP COLUMN IF EXISTS worker_id, DROP COLUMN IF EXISTS lease_id, DROP COLUMN IF EXISTS lease_until;
    DROP TABLE IF EXISTS job_workers;
  `)
}
