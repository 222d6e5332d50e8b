import type { Knex } from 'knex'

// Which transactions wrote to a watched table (core/api/list-cache.ts): one row per transaction
// and table, added by a statement trigger, so a cached list can be checked against every write
// committed since it was read, whatever wrote it (the register, an import, plain SQL). A
// statement in a transaction that has written nothing (an UPDATE matching no row in a read)
// notes nothing.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE table_writes (
      table_name text NOT NULL,
      xid xid8 NOT NULL,
      PRIMARY KEY (table_name, xid)
    );
    CREATE FUNCTION note_table_write() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      writer xid8 := pg_current_xact_id_if_assigned();
    BEGIN
      IF writer IS NOT NULL THEN
        INSERT INTO table_writes (table_name, xid) VALUES (TG_TABLE_NAME, writer) ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER hardware_writes_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hardware
      FOR EACH STATEMENT EXECUTE FUNCTION note_table_write();
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER hardware_writes_noted ON hardware;
    DROP FUNCTION note_table_write();
    DROP TABLE table_writes;
  `)
}
