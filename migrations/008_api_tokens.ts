import type { Knex } from 'knex'

// API tokens (core/api): a bearer secret shown once, stored as its SHA-256 (the secret is 32
// random bytes, so a slow password hash would add nothing). A token is found by its display
// prefix, then its hash is compared in constant time.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      -- Empty means every ability (shown as "All").
      abilities text[] NOT NULL DEFAULT '{}' CHECK (abilities <@ ARRAY[
        'hardware:read', 'hardware:write', 'users:read', 'users:write', 'software:read', 'software:write']::text[]),
      token_prefix text NOT NULL,
      token_hash text NOT NULL,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz CHECK (expires_at <= created_at + interval '365 days'),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
    CREATE INDEX api_tokens_prefix_idx ON api_tokens (token_prefix);
    CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id, created_at DESC, id);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS api_tokens')
}
