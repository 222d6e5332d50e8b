import type { Knex } from 'knex'

// The requests list pages by keyset on (created_at, id), newest first: for the whole workspace
// (admins) and for one requester (an employee's own list and home page).
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX asset_requests_created_idx ON asset_requests (workspace_id, created_at, id);
    CREATE INDEX asset_requests_requester_idx ON asset_requests (workspace_id, requester_id, created_at, id);
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS asset_requests_created_idx, asset_requests_requester_idx')
}
