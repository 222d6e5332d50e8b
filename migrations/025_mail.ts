import type { Knex } from 'knex'

// Issue 20, email (core/mail/): one row per message app.mail.send queued, for the Email card's
// log and for the caller to follow: who it went to, its subject and kind, queued → sent or failed,
// how many attempts, the last error in the admin's words and the relay's Message-ID. Never the
// body: the message itself travels sealed (the workspace's data key) in its pg-boss job only.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mail_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
      to_addresses text[] NOT NULL CHECK (cardinality(to_addresses) > 0),
      cc_addresses text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      plugin_id text,
      last_error text,
      message_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX mail_messages_latest_idx ON mail_messages (workspace_id, created_at DESC);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mail_messages')
}
