import type { Knex } from 'knex'

// The SCIM plugin's tables. A SCIM user is a person of the register (its id is the person's id)
// plus the document the identity provider sent, kept so GET answers what was sent. Groups are the
// plugin's own, with the role they map to. scim_requests is the provisioning log.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE scim_users (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      user_name text NOT NULL,
      external_id text,
      active boolean NOT NULL,
      document jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, id)
    );
    CREATE UNIQUE INDEX scim_users_user_name_key ON scim_users (workspace_id, lower(user_name));
    CREATE INDEX scim_users_external_id_idx ON scim_users (workspace_id, external_id);
    CREATE INDEX scim_users_order_idx ON scim_users (workspace_id, created_at, id);

    CREATE TABLE scim_groups (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      display_name text NOT NULL,
      external_id text,
      document jsonb NOT NULL,
      role text CHECK (role IN ('super-admin', 'admin', 'it-admin', 'employee')),
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, id)
    );
    CREATE UNIQUE INDEX scim_groups_display_name_key ON scim_groups (workspace_id, lower(display_name));
    CREATE INDEX scim_groups_order_idx ON scim_groups (workspace_id, created_at, id);

    -- value is what the IdP sent: usually a SCIM user id, but kept even when it names no one.
    CREATE TABLE scim_group_members (
      workspace_id uuid NOT NULL,
      group_id uuid NOT NULL,
      value text NOT NULL,
      display text,
      PRIMARY KEY (workspace_id, group_id, value),
      FOREIGN KEY (workspace_id, group_id) REFERENCES scim_groups(workspace_id, id) ON DELETE CASCADE
    );
    CREATE INDEX scim_group_members_value_idx ON scim_group_members (workspace_id, value);

    CREATE TABLE scim_requests (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY,
      at timestamptz NOT NULL DEFAULT now(),
      token_id uuid,
      method text NOT NULL,
      path text NOT NULL,
      resource_type text,
      resource_id text,
      status integer NOT NULL,
      scim_type text,
      detail text,
      duration_ms integer NOT NULL,
      PRIMARY KEY (workspace_id, id)
    );
    CREATE INDEX scim_requests_errors_idx ON scim_requests (workspace_id, id DESC) WHERE status >= 400;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS scim_requests, scim_group_members, scim_groups, scim_users')
}
