import type { Knex } from 'knex'

// The core register, tenancy, audit and outbox tables. Every table but `workspaces` carries
// workspace_id and every unique index starts with it.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE workspaces (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name text NOT NULL,
      asset_tag_prefix text NOT NULL DEFAULT 'ASSET-',
      asset_tag_digits int NOT NULL DEFAULT 6 CHECK (asset_tag_digits BETWEEN 1 AND 12),
      asset_tag_next bigint NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      email text NOT NULL,
      first_name text,
      last_name text,
      job_title text,
      department text,
      location text,
      manager_id uuid REFERENCES users(id) ON DELETE SET NULL,
      cost_center text,
      start_date date,
      end_date date,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'offboarded')),
      role text NOT NULL DEFAULT 'employee' CHECK (role IN ('super-admin', 'admin', 'it-admin', 'employee')),
      password_hash text,
      sessions_valid_after timestamptz NOT NULL DEFAULT '-infinity',
      source text NOT NULL DEFAULT 'manual',
      source_ids jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_workspace_email_key ON users (workspace_id, lower(email));
    CREATE INDEX users_workspace_name_idx ON users (workspace_id, last_name, first_name, id);

    CREATE TABLE hardware (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      asset_tag text NOT NULL,
      serial text NOT NULL,
      name text NOT NULL,
      category text NOT NULL DEFAULT 'other',
      manufacturer text,
      model text,
      os text,
      os_version text,
      mac_address text,
      status text NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'assigned', 'in_repair', 'retired', 'lost')),
      condition text NOT NULL DEFAULT 'good' CHECK (condition IN ('new', 'good', 'fair', 'poor', 'broken')),
      assigned_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      assigned_at timestamptz,
      acknowledged_at timestamptz,
      acknowledgement_note text,
      cpu text,
      ram text,
      storage text,
      purchase_price numeric(12, 2) CHECK (purchase_price >= 0),
      purchase_date date,
      warranty_end date,
      notes text,
      specifications jsonb NOT NULL DEFAULT '{}',
      source text NOT NULL DEFAULT 'manual',
      source_ids jsonb NOT NULL DEFAULT '{}',
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'assigned') = (assigned_user_id IS NOT NULL))
    );
    CREATE UNIQUE INDEX hardware_workspace_serial_key ON hardware (workspace_id, serial);
    CREATE UNIQUE INDEX hardware_workspace_asset_tag_key ON hardware (workspace_id, asset_tag);
    CREATE INDEX hardware_workspace_assignee_idx ON hardware (workspace_id, assigned_user_id);

    CREATE TABLE hardware_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      hardware_id uuid NOT NULL REFERENCES hardware(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      assigned_at timestamptz NOT NULL DEFAULT now(),
      recovered_at timestamptz,
      note text
    );
    CREATE INDEX hardware_assignments_hardware_idx ON hardware_assignments (workspace_id, hardware_id, assigned_at DESC);

    CREATE TABLE software (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      name text NOT NULL,
      vendor text,
      seats_purchased int NOT NULL DEFAULT 0 CHECK (seats_purchased >= 0),
      cost_per_seat numeric(12, 2) CHECK (cost_per_seat >= 0),
      renewal_date date,
      manual_seat_count int CHECK (manual_seat_count >= 0),
      source text NOT NULL DEFAULT 'manual',
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX software_workspace_name_key ON software (workspace_id, lower(name));

    CREATE TABLE software_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      software_id uuid NOT NULL REFERENCES software(id) ON DELETE CASCADE,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      external_email text,
      last_active_at timestamptz,
      source text NOT NULL DEFAULT 'manual',
      assigned_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CHECK ((user_id IS NULL) <> (external_email IS NULL))
    );
    CREATE UNIQUE INDEX software_assignments_active_holder_key ON software_assignments
      (workspace_id, software_id, coalesce(user_id::text, lower(external_email))) WHERE revoked_at IS NULL;
    CREATE INDEX software_assignments_user_idx ON software_assignments (workspace_id, user_id) WHERE revoked_at IS NULL;

    CREATE TABLE asset_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      requester_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      category text NOT NULL,
      description text,
      status text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'approved', 'rejected', 'fulfilled')),
      decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
      decided_at timestamptz,
      rejection_reason text,
      fulfilled_hardware_id uuid REFERENCES hardware(id) ON DELETE SET NULL,
      fulfilled_at timestamptz,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX asset_requests_workspace_status_idx ON asset_requests (workspace_id, status, created_at DESC);

    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_type text NOT NULL CHECK (actor_type IN ('user', 'token', 'system', 'plugin', 'scim')),
      actor_id text,
      actor_label text NOT NULL,
      action text NOT NULL,
      target_type text,
      target_id text,
      target_label text,
      outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure', 'denied')),
      changes jsonb,
      details jsonb,
      request_id text
    );
    CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id DESC);
    CREATE INDEX audit_log_workspace_action_idx ON audit_log (workspace_id, action, id DESC);
    CREATE INDEX audit_log_workspace_target_idx ON audit_log (workspace_id, target_type, target_id, id DESC);

    -- Append-only: the log is evidence, so nothing may rewrite it.
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only';
    END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

    CREATE TABLE events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      sequence bigint GENERATED ALWAYS AS IDENTITY,
      type text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      dispatched_at timestamptz
    );
    CREATE INDEX events_pending_idx ON events (workspace_id, sequence) WHERE dispatched_at IS NULL;

    CREATE TABLE sign_in_links (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS sign_in_links, events, audit_log, asset_requests, software_assignments,
      software, hardware_assignments, hardware, users, workspaces CASCADE;
    DROP FUNCTION IF EXISTS audit_log_is_append_only();
  `)
}
