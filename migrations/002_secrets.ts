import type { Knex } from 'knex'

// One data key per workspace (core/secrets), stored wrapped by the master key (key-encryption
// key). kek_fingerprint names the master key that wrapped it, so a wrong master key is reported
// as such instead of failing as "corrupt data".
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE data_keys (
      workspace_id uuid PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
      wrapped_key text NOT NULL,
      kek_fingerprint text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      rotated_at timestamptz
    );
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS data_keys')
}
