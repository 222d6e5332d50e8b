import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { systemActor } from '../core/audit/index.ts'
import { CSV_IMPORTS, CSV_KINDS, CsvFileError, CsvMappingError, DATE_FORMATS, isCsvKind, isDateFormat, type CsvKind } from '../core/csv-import/index.ts'
import { deleteUpload } from '../core/csv-import/uploads.ts'
import { RunActiveError } from '../core/integrations/runs.ts'
import { findWorkspaceBySlug } from '../core/tenancy/index.ts'
import { IntegrationUsageError } from './integration-command.ts'
import { followRun } from './sync-command.ts'

export const IMPORT_USAGE = `  import <${CSV_KINDS.join('|')}> <file.csv> --workspace <slug> [--dry-run] [--date-format <format>]
                                         import a CSV file (columns matched by header, as on Bulk import;
                                         dates in ISO or --date-format: ${DATE_FORMATS.join(', ')};
                                         default DD/MM/YYYY); with --dry-run, a preview that writes nothing;
                                         prints its counts as JSON on the last line; exit 0 only if it
                                         completed, 2 when the file or a flag is refused`

/** Errors of the rows, at most this many on standard error (the counts say how many there were). */
const SHOWN_ERRORS = 20

/**
 * Uploads the file as the page does (stored, read through, columns matched by header), then runs
 * the import — or its preview — to the end in this process, through the same source and importer.
 */
/** The arguments, checked before anything is opened: what to import, the file, the date format. */
export async function checkImportArgs (positionals: string[], dateFormat: string | undefined): Promise<{ kind: CsvKind, file: string }> {
  const [kind, file] = positionals
  if (!isCsvKind(kind)) throw new IntegrationUsageError(`import needs what to import first: ${CSV_KINDS.join(', ')}${kind ? ` (got "${kind}")` : ''}`)
  if (!file) throw new IntegrationUsageError(`import ${kind} needs the CSV file to read`)
  if (dateFormat !== undefined && !isDateFormat(dateFormat)) throw new IntegrationUsageError(`--date-format must be one of ${DATE_FORMATS.join(', ')}`)
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) throw new IntegrationUsageError(`${file}: no such file`)
  return { kind, file }
}

export async function importCommand (app: FastifyInstance, slug: string, positionals: string[], options: { dryRun: boolean, dateFormat?: string }): Promise<number> {
  const { kind, file } = await checkImportArgs(positionals, options.dateFormat)
  const workspace = await findWorkspaceBySlug(app.db, slug)
  if (!workspace) throw new IntegrationUsageError(`--workspace: no workspace "${slug}"`)

  const actor = { ...systemActor, label: 'stocktake CLI' }
  let upload
  try {
    upload = await app.csvImports.upload(workspace.id, actor, kind, path.basename(file), createReadStream(file))
  } catch (err) {
    if (err instanceof CsvFileError) throw new IntegrationUsageError(`${file}: ${err.message}`)
    throw err
  }
  try {
    let run
    try {
      run = await app.csvImports.start(workspace.id, actor, upload, { dryRun: options.dryRun, trigger: 'cli', dateFormat: options.dateFormat as never })
    } catch (err) {
      if (err instanceof CsvMappingError) {
        throw new IntegrationUsageError(`${file}: ${err.message} The file's columns are: ${upload.headers.map(h => `"${h}"`).join(', ')}; the headers read are in README (CSV import) and the template on Bulk import.`)
      }
      if (err instanceof RunActiveError) throw new IntegrationUsageError(`an import of ${CSV_IMPORTS[kind].title.toLowerCase()} from a CSV file is already running in "${slug}"; try again when it has ended`)
      throw err
    }
    console.error(`${options.dryRun ? 'Previewing' : 'Importing'} ${upload.rows} rows of ${CSV_IMPORTS[kind].title.toLowerCase()} from ${file} into "${slug}" (run ${run.id})…`)
    run = await followRun(app, workspace.id, run)
    for (const error of (run.error_details ?? []).slice(0, SHOWN_ERRORS)) console.error(error.reason.startsWith('Line ') ? error.reason : `${error.externalId}: ${error.reason}`)
    if (run.errors > SHOWN_ERRORS) console.error(`…and ${run.errors - SHOWN_ERRORS} more rows that failed.`)
    if (run.status !== 'succeeded') console.error(`The ${options.dryRun ? 'preview' : 'import'} ${run.status === 'cancelled' ? 'was cancelled' : 'failed'}: ${run.message ?? ''}`)
    console.log(JSON.stringify({
      run: run.id,
      kind,
      file: path.basename(file),
      status: run.status,
      dryRun: run.dry_run,
      rows: upload.rows,
      read: run.read,
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      skipped: run.skipped,
      errors: run.errors
    }))
    return run.status === 'succeeded' ? 0 : 1
  } finally {
    // Nothing reuses the file after the command: not even a preview's.
    await deleteUpload(app.db, workspace.id, upload.id)
  }
}
