import type { Knex } from 'knex'

// Webhooks (core/webhooks): subscriptions of a workspace and one delivery row per event and
// subscription. The signing secret must be recoverable to sign, so it is encrypted with the
// workspace's data key (core/secrets), never hashed. A new API ability, webhooks:manage, governs
// the /api/webhooks routes.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE webhook_subscriptions (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
      -- Event types, or '*' for every event.
      events text[] NOT NULL CHECK (cardinality(events) > 0),
      secret_ciphertext text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      disabled_reason text,
      -- Set at the first failure of a run of failures, cleared by a success.
      failing_since timestamptz,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, id),
      UNIQUE (id)
    );
    CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (workspace_id) WHERE active;

    CREATE TABLE webhook_deliveries (
      workspace_id uuid NOT NULL,
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      subscription_id uuid NOT NULL,
      -- The event (events.id), or a synthetic test.ping's own id; it is the webhook-id header.
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      -- Deliveries of one subscription with one key (the record: 'hardware:<id>') go out in
      -- event_sequence order: one waits while an earlier one is pending.
      ordering_key text,
      event_sequence bigint,
      -- Only for synthetic events (test.ping), which have no events row.
      payload jsonb,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_status_code integer,
      last_error text,
      duration_ms integer,
      response_excerpt text CHECK (octet_length(response_excerpt) <= 1024),
      next_attempt_at timestamptz,
      -- An attempt in flight: another job for the same delivery leaves it alone until then.
      claimed_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      PRIMARY KEY (workspace_id, id),
      UNIQUE (subscription_id, event_id),
      FOREIGN KEY (workspace_id, subscription_id) REFERENCES webhook_subscriptions (workspace_id, id) ON DELETE CASCADE
    );
    CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (workspace_id, subscription_id, created_at DESC, id);
    CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (subscription_id, ordering_key, event_sequence)
      WHERE status = 'pending' AND ordering_key IS NOT NULL;

    ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_abilities_check;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_abilities_check CHECK (abilities <@ ARRAY[
      'hardware:read', 'hardware:write', 'users:read', 'users:write', 'software:read', 'software:write', 'webhooks:manage']::text[]);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP TABLE IF EXISTS webhook_subscriptions;
    UPDATE api_tokens SET abilities = array_remove(abilities, 'webhooks:manage');
    ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_abilities_check;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_abilities_check CHECK (abilities <@ ARRAY[
      'hardware:read', 'hardware:write', 'users:read', 'users:write', 'software:read', 'software:write']::text[]);
  `)
}
