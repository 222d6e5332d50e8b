import type { Knex } from 'knex'

// The SAML plugin's identity providers: several per workspace, each its own sign-in method (its
// `key` is in the method's URLs) with its own service-provider key pair (for signed AuthnRequests
// and encrypted assertions; the private key sealed with the workspace's data key).
// saml_seen_assertions keeps the ID of every accepted assertion until it expires, so a replay is
// refused by every web node.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE saml_idps (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
      enabled boolean NOT NULL DEFAULT true,
      entity_id text NOT NULL,
      sso_url text NOT NULL,
      certificates text[] NOT NULL CHECK (cardinality(certificates) BETWEEN 1 AND 2),
      signed_part text NOT NULL DEFAULT 'response' CHECK (signed_part IN ('response', 'assertion')),
      email_attribute text,
      first_name_attribute text,
      last_name_attribute text,
      group_attribute text,
      allow_idp_initiated boolean NOT NULL DEFAULT false,
      create_people boolean NOT NULL DEFAULT false,
      default_role text NOT NULL DEFAULT 'employee' CHECK (default_role IN ('super-admin', 'admin', 'it-admin', 'employee')),
      role_mappings jsonb NOT NULL DEFAULT '[]',
      sp_certificate text NOT NULL,
      sealed_sp_private_key text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, id)
    );
    CREATE UNIQUE INDEX saml_idps_key_key ON saml_idps (workspace_id, key);

    CREATE TABLE saml_seen_assertions (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      idp_id uuid NOT NULL,
      assertion_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (workspace_id, idp_id, assertion_id),
      FOREIGN KEY (workspace_id, idp_id) REFERENCES saml_idps (workspace_id, id) ON DELETE CASCADE
    );
    CREATE INDEX saml_seen_assertions_expiry_idx ON saml_seen_assertions (expires_at);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS saml_seen_assertions, saml_idps')
}
