import type { Knex } from 'knex'

// Page sessions are rows (core/auth/session-store.ts): the session cookie's JWT names one, and a
// request is signed in only while the row exists and has not expired, so signing out ends the
// session on the server. Setting a password deletes the user's rows, which replaces the
// sessions_valid_after time (whole seconds, compared with the JWT's issue time).
//
// sign_in_throttle counts password attempts per address and per account and address
// (core/auth/sign-in-limit.ts): an attempt claims its place in one upsert before the password is
// checked, so parallel guesses cannot all pass a check made before any was recorded.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE sessions (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, id)
    );
    CREATE INDEX sessions_user_idx ON sessions (workspace_id, user_id);
    CREATE INDEX sessions_expiry_idx ON sessions (workspace_id, expires_at);

    CREATE TABLE sign_in_throttle (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      key text NOT NULL,
      window_started_at timestamptz NOT NULL DEFAULT now(),
      attempts int NOT NULL CHECK (attempts >= 0),
      PRIMARY KEY (workspace_id, key)
    );
    CREATE INDEX sign_in_throttle_window_idx ON sign_in_throttle (workspace_id, window_started_at);

    ALTER TABLE users DROP COLUMN sessions_valid_after;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users ADD COLUMN sessions_valid_after timestamptz NOT NULL DEFAULT '-infinity';
    DROP TABLE sign_in_throttle;
    DROP TABLE sessions;
  `)
}
