import type { Knex } from 'knex'

// The devices a sync run has read, held until the run has read them all: one serial may come as
// several MDM records (a re-enrolled device, a Mac after a logic-board repair, the same serial on a
// computer and a mobile device), and only the one that checked in last may reach the register,
// wherever the vendor's pages put the others. Rows live as long as their run is active; the merge
// reads them back by serial key, one chunk at a time, so memory never holds the fleet.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integration_run_devices (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      run_id uuid NOT NULL REFERENCES integration_runs(id) ON DELETE CASCADE,
      sync_id text NOT NULL,
      external_id text NOT NULL,
      -- lower() of the trimmed, NFC serial: what the hardware unique index compares
      serial_key text NOT NULL,
      checked_in_at timestamptz,
      record jsonb NOT NULL,
      PRIMARY KEY (run_id, sync_id, external_id)
    );
    CREATE INDEX integration_run_devices_key_idx ON integration_run_devices (workspace_id, run_id, sync_id, serial_key);

    -- The currency every amount of the workspace is in (ISO 4217; the list Node's Intl knows is
    -- checked by the Settings form). Amounts were shown without one: US dollars by default.
    ALTER TABLE workspaces ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$');
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE workspaces DROP COLUMN currency; DROP TABLE integration_run_devices')
}
