import type { Knex } from 'knex'

// The hosts an operator allows a workspace's integrations to reach although they are, or resolve
// to, loopback, private or other special-purpose addresses (an on-premises Jamf Pro). Written only
// by the command line (npx stocktake allow-private-host), never by a page or the API: the SSRF
// guard is not for the guarded to switch off.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE integration_private_hosts (
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      -- a host name in lower case without a trailing dot, or an IP address as ipaddr.js prints it
      host text NOT NULL CHECK (host <> '' AND host = lower(host)),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (workspace_id, host)
    );
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE integration_private_hosts')
}
