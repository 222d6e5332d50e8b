import type { Knex } from 'knex'

// SCIM tokens are bearer tokens like API tokens (shown once, SHA-256 stored, revocable, last used)
// but of their own kind: a SCIM token opens /scim/v2 only and an API token never does.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE api_tokens ADD COLUMN kind text NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'scim'));
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scim_abilities CHECK (kind = 'api' OR (abilities = '{}' AND expires_at IS NULL));
    DROP INDEX api_tokens_workspace_idx;
    CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id, kind, created_at DESC, id);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DELETE FROM api_tokens WHERE kind <> 'api';
    DROP INDEX api_tokens_workspace_idx;
    CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id, created_at DESC, id);
    ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scim_abilities;
    ALTER TABLE api_tokens DROP COLUMN kind;
  `)
}
