import type { Knex } from 'knex'

// Issue 18, OAuth consent (authorization code with PKCE), owned by the core:
// - integration_oauth_states: one row per "Connect with <Vendor>" click, until its callback. Only
//   the SHA-256 of `state` is kept; the PKCE verifier is sealed with the workspace's data key. Bound
//   to the session that clicked (gone with it) and to the plugin; the callback deletes the row as
//   it reads it, so a state is used once; it expires after 10 minutes.
// - integration_oauth_tokens: the vendor's access and refresh tokens, sealed with the workspace's
//   data key, gone with the integration (Disconnect). `version` counts refreshes: a worker that
//   refreshes holds `refresh_lease_id` until `refresh_lease_until` (no transaction is held across
//   the vendor call), and writes the rotated tokens only while it still holds it; the others wait
//   for the version to move and read the new tokens.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integration_oauth_states (
      workspace_id uuid NOT NULL,
      state_hash text NOT NULL,
      plugin_id text NOT NULL,
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      redirect_uri text NOT NULL,
      sealed_verifier text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, state_hash),
      FOREIGN KEY (workspace_id, session_id) REFERENCES sessions (workspace_id, id) ON DELETE CASCADE
    );
    CREATE INDEX integration_oauth_states_expiry_idx ON integration_oauth_states (expires_at);

    CREATE TABLE integration_oauth_tokens (
      workspace_id uuid NOT NULL,
      plugin_id text NOT NULL,
      sealed_access_token text NOT NULL,
      sealed_refresh_token text,
      expires_at timestamptz,
      scope text,
      version integer NOT NULL DEFAULT 1,
      refresh_lease_id uuid,
      refresh_lease_until timestamptz,
      connected_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, plugin_id),
      FOREIGN KEY (workspace_id, plugin_id) REFERENCES integrations (workspace_id, plugin_id) ON DELETE CASCADE
    );
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS integration_oauth_tokens, integration_oauth_states')
}
