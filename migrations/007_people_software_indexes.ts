import type { Knex } from 'knex'

// Indexes of the people and software pages (core/pages/people, core/pages/software): every sort of
// the people list is a range of one index on (workspace_id, key, id), the department filter's
// choices a loose scan of the department one, and the search box also matches the department
// through a trigram index. A title's seats page in assignment or last-activity order the same way.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX users_department_sort_idx ON users (workspace_id, department, id);
    CREATE INDEX users_role_sort_idx ON users (workspace_id, role, id);
    CREATE INDEX users_status_sort_idx ON users (workspace_id, status, id);
    CREATE INDEX users_start_sort_idx ON users (workspace_id, start_date, id);
    CREATE INDEX users_department_search_idx ON users USING gin (lower(department) gin_trgm_ops);

    CREATE INDEX software_assignments_assigned_sort_idx ON software_assignments (workspace_id, software_id, assigned_at, id)
      WHERE revoked_at IS NULL;
    CREATE INDEX software_assignments_active_sort_idx ON software_assignments (workspace_id, software_id, last_active_at, id)
      WHERE revoked_at IS NULL;
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS users_department_sort_idx, users_role_sort_idx, users_status_sort_idx, users_start_sort_idx,
      users_department_search_idx, software_assignments_assigned_sort_idx, software_assignments_active_sort_idx;
  `)
}
