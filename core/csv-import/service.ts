// CSV imports of a workspace: upload (stored, read through, columns matched by header), the mapping
// the admin changes, Preview and Import as runs of the kind's built-in source, and the templates.
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { csvLine } from '../admin/list/csv.ts'
import type { RunRow, RunTrigger } from '../integrations/runs.ts'
import { csvDateFormatFor, isDateFormat, type DateFormat } from './cells.ts'
import { CSV_IMPORTS, CSV_KINDS, unmappedRequired, type CsvKind, type Mapping } from './fields.ts'
import { csvSourceId } from './source.ts'
import { findUpload, storeUpload, sweepUploads, type CsvUpload } from './uploads.ts'

/** A mapping that cannot be imported, with a message per field (its key) for the form. */
export class CsvMappingError extends Error {
  override name = 'CsvMappingError'
  constructor (readonly fields: Record<string, string>) {
    super(Object.values(fields).join(' '))
  }
}

export interface StartOptions {
  dryRun: boolean
  trigger?: RunTrigger
  /** The admin's mapping (field key -> column index); the stored one when left out. */
  mapping?: Mapping
  dateFormat?: DateFormat
}

/** Checks a mapping against the file's columns: every index a column, every required field mapped. */
export function checkMapping (upload: Pick<CsvUpload, 'kind' | 'headers'>, mapping: Mapping): void {
  const problems: Record<string, string> = {}
  const known = new Set(CSV_IMPORTS[upload.kind].fields.map(f => f.key))
  for (const [key, index] of Object.entries(mapping)) {
    if (!known.has(key)) problems[key] = `${key} is not a field of this import.`
    else if (!Number.isInteger(index) || index < 0 || index >= upload.headers.length) problems[key] = `${key}: the file has no column ${index + 1}.`
  }
  for (const field of unmappedRequired(upload.kind, mapping)) {
    problems[field.key] = `${field.label}: choose the column it is in; every ${CSV_IMPORTS[upload.kind].row} is matched by it.`
  }
  if (Object.keys(problems).length > 0) throw new CsvMappingError(problems)
}

export class CsvImports {
  constructor (private readonly app: FastifyInstance) {}

  get maxBytes (): number {
    return this.app.config.csvMaxMb * 1024 * 1024
  }

  /** Stores and reads through an uploaded file (see storeUpload); audited with its name and size. */
  async upload (workspaceId: string, actor: Actor, kind: CsvKind, filename: string, body: AsyncIterable<Buffer | string>): Promise<CsvUpload> {
    await sweepUploads(this.app.db, workspaceId)
    const workspace = await this.app.db('workspaces').where({ id: workspaceId }).first()
    const dateFormat = csvDateFormatFor(workspace?.date_format)
    const upload = await storeUpload(this.app.db, { workspaceId, kind, filename, uploadedBy: actor.label, maxBytes: this.maxBytes, dateFormat }, body)
    await recordAudit(this.app.db, workspaceId, actor, {
      action: 'csv.uploaded',
      target: { type: 'csv_upload', id: upload.id, label: upload.filename },
      details: { kind, filename: upload.filename, bytes: Number(upload.bytes), rows: upload.rows, delimiter: upload.delimiter }
    })
    return upload
  }

  async find (workspaceId: string, id: string): Promise<CsvUpload | undefined> {
    return await findUpload(this.app.db, workspaceId, id)
  }

  /**
   * Preview (a dry run) or Import of an uploaded file: saves the mapping, then queues a run of the
   * kind's source linked to the file in the run's own transaction. One run of a kind at a time per
   * workspace (RunActiveError otherwise).
   */
  async start (workspaceId: string, actor: Actor, upload: CsvUpload, options: StartOptions): Promise<RunRow> {
    const mapping = options.mapping ?? upload.mapping
    checkMapping(upload, mapping)
    const dateFormat = options.dateFormat ?? upload.date_format
    if (!isDateFormat(dateFormat)) throw new CsvMappingError({ dateFormat: `Dates: ${String(dateFormat)} is not a date format this import reads.` })
    const attach = async (trx: Knex.Transaction, run: RunRow) => {
      await trx('csv_uploads').where({ workspace_id: workspaceId, id: upload.id })
        .update({ run_id: run.id, mapping: JSON.stringify(mapping), date_format: dateFormat, expires_at: trx.raw("now() + interval '1 day'") })
      await recordAudit(trx, workspaceId, actor, {
        action: options.dryRun ? 'csv.previewed' : 'csv.import_started',
        target: { type: 'csv_upload', id: upload.id, label: upload.filename },
        details: { kind: upload.kind, run_id: run.id, rows: upload.rows, mapping: mappedHeaders(upload, mapping), date_format: dateFormat }
      })
    }
    return await this.app.integrations.sync(workspaceId, csvSourceId(upload.kind), { dryRun: options.dryRun, trigger: options.trigger ?? 'manual', attach })
  }

  /** The latest run (a preview or an import) of each kind. */
  async latestRuns (workspaceId: string): Promise<Map<CsvKind, RunRow>> {
    const rows: RunRow[] = await this.app.db('integration_runs').distinctOn('plugin_id')
      .where({ workspace_id: workspaceId, kind: 'sync' }).whereIn('plugin_id', CSV_KINDS.map(csvSourceId))
      .orderBy([{ column: 'plugin_id' }, { column: 'created_at', order: 'desc' }])
    return new Map(rows.map(r => [CSV_KINDS.find(k => csvSourceId(k) === r.plugin_id)!, r]))
  }
}

/** field key -> the header of its column, as the audit entry records the mapping. */
const mappedHeaders = (upload: Pick<CsvUpload, 'headers'>, mapping: Mapping) =>
  Object.fromEntries(Object.entries(mapping).map(([key, index]) => [key, upload.headers[index]]))

/** The template of a kind: the header line of every field and one example row, with a byte-order mark for Excel. */
export function csvTemplate (kind: CsvKind): string {
  const { fields } = CSV_IMPORTS[kind]
  return `\uFEFF${csvLine(fields.map(f => f.label))}${csvLine(fields.map(f => f.example))}`
}
