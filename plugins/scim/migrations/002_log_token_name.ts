import type { Knex } from 'knex'

// The provisioning log names the token as it was called when the request was made (the page shows
// "Okta" rather than an id), and is pruned by age, hence the index on `at`.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE scim_requests ADD COLUMN token_name text;
    CREATE INDEX scim_requests_at_idx ON scim_requests (at);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS scim_requests_at_idx; ALTER TABLE scim_requests DROP COLUMN IF EXISTS token_name')
}
