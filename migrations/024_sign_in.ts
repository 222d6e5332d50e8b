import type { Knex } from 'knex'

// Issue 19, single sign-on, owned by the core (core/auth/sso/):
// - sign_in_attempts: one row per click on a sign-in button, until its callback; in the database so
//   every web node sees it. Only the SHA-256 of `state` and of the browser-binding cookie are kept;
//   what the plugin's start returned (nonce, PKCE verifier, request ID) is sealed with the
//   workspace's data key. The callback deletes the row as it reads it (used once); it expires after
//   10 minutes. A row with `sealed_outcome` is a continuation instead: a SAML POST callback's
//   verified identity, kept for the same-site GET that checks the browser binding (2 minutes).
// - sign_in_identities: which person an identity provider's subject is, per plugin and method,
//   linked on first sign-in by email; later sign-ins match the subject first. One subject per
//   person and method, one person per subject.
// - workspaces.require_sso: password and one-time-link sign-in refused for all but super-admins.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sign_in_attempts (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      state_hash text NOT NULL,
      plugin_id text NOT NULL,
      method text NOT NULL,
      sealed_secrets text,
      binding_hash text,
      return_path text NOT NULL DEFAULT '/',
      sealed_outcome text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, state_hash)
    );
    CREATE INDEX sign_in_attempts_expiry_idx ON sign_in_attempts (workspace_id, expires_at);

    CREATE TABLE sign_in_identities (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      plugin_id text NOT NULL,
      method text NOT NULL,
      subject text NOT NULL,
      linked_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, plugin_id, method, subject),
      UNIQUE (workspace_id, user_id, plugin_id, method)
    );

    ALTER TABLE workspaces ADD COLUMN require_sso boolean NOT NULL DEFAULT false;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE workspaces DROP COLUMN require_sso;
    DROP TABLE sign_in_identities;
    DROP TABLE sign_in_attempts;
  `)
}
