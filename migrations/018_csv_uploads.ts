import type { Knex } from 'knex'

// CSV import: an uploaded file is kept in the database, in chunks, only while it is needed — from
// the upload, through the mapping, Preview and Import, to the end of the import (or a day, when
// nobody imports it). In the database rather than on one machine's disk, a run can be executed,
// and resumed after a crash, by any worker.
export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE csv_uploads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('hardware', 'people', 'seats')),
      filename text NOT NULL,
      -- 'uploading' until every chunk is stored and the file read through once.
      status text NOT NULL DEFAULT 'uploading' CHECK (status IN ('uploading', 'ready')),
      bytes bigint NOT NULL DEFAULT 0,
      rows int NOT NULL DEFAULT 0,
      delimiter text NOT NULL DEFAULT ',',
      headers jsonb NOT NULL DEFAULT '[]',
      -- canonical field -> header index
      mapping jsonb NOT NULL DEFAULT '{}',
      date_format text NOT NULL DEFAULT 'DD/MM/YYYY',
      -- The last preview or import started from this file.
      run_id uuid,
      uploaded_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL DEFAULT now() + interval '1 day'
    );
    CREATE INDEX csv_uploads_expiry_idx ON csv_uploads (expires_at);
    CREATE INDEX csv_uploads_run_idx ON csv_uploads (workspace_id, run_id) WHERE run_id IS NOT NULL;

    CREATE TABLE csv_upload_chunks (
      workspace_id uuid NOT NULL,
      upload_id uuid NOT NULL REFERENCES csv_uploads(id) ON DELETE CASCADE,
      seq int NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (upload_id, seq)
    );
  `)
}

export async function down (knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS csv_upload_chunks; DROP TABLE IF EXISTS csv_uploads;')
}
