import type { Knex } from 'knex'

// Issue 17, pages:
// - one_time_reveals: a secret minted by a form (an API or SCIM token, a webhook signing secret)
//   waits here, encrypted with the workspace's data key and bound to the session that minted it,
//   for the page the form redirects to (core/admin/reveal-once.ts). That GET deletes it as it
//   reads it, so it is shown once; it is gone after 10 minutes or with the session anyway.
// - asset requests can be withdrawn by their requester while open: a new status.
// - workspaces.date_format: how every page writes a date (core/admin/dates.ts).
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE one_time_reveals (
      workspace_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL,
      kind text NOT NULL,
      sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, id),
      FOREIGN KEY (workspace_id, session_id) REFERENCES sessions (workspace_id, id) ON DELETE CASCADE
    );
    CREATE INDEX one_time_reveals_session_idx ON one_time_reveals (workspace_id, session_id, kind);

    ALTER TABLE asset_requests DROP CONSTRAINT asset_requests_status_check;
    ALTER TABLE asset_requests ADD CONSTRAINT asset_requests_status_check
      CHECK (status IN ('created', 'approved', 'rejected', 'fulfilled', 'withdrawn'));

    ALTER TABLE workspaces ADD COLUMN date_format text NOT NULL DEFAULT 'iso'
      CHECK (date_format IN ('iso', 'dmy', 'mdy', 'd-mon-y'));
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE workspaces DROP COLUMN date_format;
    UPDATE asset_requests SET status = 'rejected', rejection_reason = 'Withdrawn by the requester' WHERE status = 'withdrawn';
    ALTER TABLE asset_requests DROP CONSTRAINT asset_requests_status_check;
    ALTER TABLE asset_requests ADD CONSTRAINT asset_requests_status_check
      CHECK (status IN ('created', 'approved', 'rejected', 'fulfilled'));
    DROP TABLE one_time_reveals;
  `)
}
