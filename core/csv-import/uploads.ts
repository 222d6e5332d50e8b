// An uploaded CSV file, kept in the database in chunks of 1 MB from its upload until its import
// ends (or a day, when nobody imports it), so any worker can run — or resume — its import. Read
// through once on upload: the header, the separator and the number of rows are known before the
// admin maps the columns, and a file that is not CSV is refused at once.
import type { Knex } from 'knex'
import { CSV_KINDS, matchHeaders, type CsvKind, type Mapping } from './fields.ts'
import { csvRows, CsvSyntaxError, detectDelimiter, type Delimiter } from './rows.ts'
import type { DateFormat } from './cells.ts'

const CHUNK_BYTES = 1024 * 1024
/** Enough of the file's start to hold its header line. */
const HEAD_BYTES = 64 * 1024

export interface CsvUpload {
  id: string
  workspace_id: string
  kind: CsvKind
  filename: string
  status: 'uploading' | 'ready'
  bytes: number
  rows: number
  delimiter: Delimiter
  headers: string[]
  mapping: Mapping
  date_format: DateFormat
  run_id: string | null
  uploaded_by: string
  created_at: Date
  expires_at: Date
}

/** Why a file was refused, in words for the admin; `status` 413 for a file over the limit, else 422. */
export class CsvFileError extends Error {
  override name = 'CsvFileError'
  constructor (message: string, readonly status: 413 | 422 = 422) { super(message) }
}

export const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`

export const tooLarge = (maxBytes: number) =>
  new CsvFileError(`The file is larger than ${megabytes(maxBytes)}, the most one import takes. Split it into several files and import them one after the other.`, 413)

/** What the file's first bytes say it is, when that is not text. */
function binaryKind (head: Buffer): string | null {
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'an Excel workbook (.xlsx) or another zip archive'
  if (head.subarray(0, 2).equals(Buffer.from('fffe', 'hex')) || head.subarray(0, 2).equals(Buffer.from('feff', 'hex'))) return 'UTF-16 text (Excel\'s "Unicode Text")'
  if (head.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) return 'an Excel 97–2003 workbook (.xls)'
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'a PDF document'
  if (head.includes(0)) return 'a binary file'
  return null
}

const SAVE_AS_CSV = 'In Excel or Numbers, choose File → Save As (or Export) → "CSV UTF-8", then upload that file.'

export interface StoreOptions {
  workspaceId: string
  kind: CsvKind
  filename: string
  uploadedBy: string
  maxBytes: number
  /** How dates that are not ISO are read until the admin chooses (default DD/MM/YYYY). */
  dateFormat?: DateFormat
}

/**
 * Stores the body chunk by chunk (refusing one over `maxBytes`, not text, or not UTF-8 as it
 * arrives), then reads it through as CSV: the header, the separator, the rows. Nothing is kept of
 * a refused file.
 */
export async function storeUpload (db: Knex, options: StoreOptions, body: AsyncIterable<Buffer | string>): Promise<CsvUpload> {
  if (!CSV_KINDS.includes(options.kind)) throw new TypeError(`unknown CSV import ${String(options.kind)}`)
  const [{ id }] = await db('csv_uploads').insert({
    workspace_id: options.workspaceId, kind: options.kind, filename: options.filename.slice(0, 255) || 'upload.csv', uploaded_by: options.uploadedBy, date_format: options.dateFormat
  }).returning('id')
  try {
    const { bytes, head } = await storeChunks(db, options, id, body)
    if (bytes === 0) throw new CsvFileError('The file is empty. Choose the CSV file again; if it was exported, check that the export finished.')
    const delimiter = detectDelimiter(head.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)[0])
    let headers: string[] | null = null
    let rows = 0
    try {
      for await (const row of csvRows(readUpload(db, options.workspaceId, id), delimiter)) {
        if (headers === null) headers = row.cells
        else rows++
      }
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw new CsvFileError(`This is not a CSV file we can read${err.line ? ` (line ${err.line})` : ''}: ${err.message}.`)
      throw err
    }
    if (headers === null || headers.every(h => h === '')) throw new CsvFileError('The file has no header line. The first line must name the columns (download the template to see how).')
    if (rows === 0) throw new CsvFileError('The file has a header line but no rows below it: there is nothing to import.')
    const [upload] = await db('csv_uploads').where({ workspace_id: options.workspaceId, id })
      .update({ status: 'ready', bytes, rows, delimiter, headers: JSON.stringify(headers), mapping: JSON.stringify(matchHeaders(options.kind, headers)) })
      .returning('*')
    return upload
  } catch (err) {
    await db('csv_uploads').where({ workspace_id: options.workspaceId, id }).delete()
    throw err
  }
}

async function storeChunks (db: Knex, options: StoreOptions, id: string, body: AsyncIterable<Buffer | string>): Promise<{ bytes: number, head: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let bytes = 0
  let head = ''
  let seq = 0
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flush = async () => {
    if (pendingBytes === 0) return
    await db('csv_upload_chunks').insert({ workspace_id: options.workspaceId, upload_id: id, seq: seq++, data: Buffer.concat(pending) })
    pending = []
    pendingBytes = 0
  }
  for await (const part of body) {
    const chunk = typeof part === 'string' ? Buffer.from(part) : part
    if (bytes === 0 && chunk.length > 0) {
      const kind = binaryKind(chunk.subarray(0, 8192))
      if (kind) throw new CsvFileError(`This is ${kind}, not a CSV file. ${SAVE_AS_CSV}`)
    }
    bytes += chunk.length
    if (bytes > options.maxBytes) throw tooLarge(options.maxBytes)
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch {
      throw new CsvFileError(`The file is not UTF-8 text (it may be a binary file, or a CSV saved in another encoding). ${SAVE_AS_CSV}`)
    }
    if (text.includes('\0')) throw new CsvFileError(`This is a binary file, not a CSV file. ${SAVE_AS_CSV}`)
    if (head.length < HEAD_BYTES) head += text.slice(0, HEAD_BYTES - head.length)
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes >= CHUNK_BYTES) await flush()
  }
  try {
    decoder.decode()
  } catch {
    throw new CsvFileError(`The file ends in the middle of a character: it is not complete UTF-8 text. ${SAVE_AS_CSV}`)
  }
  await flush()
  return { bytes, head }
}

/** The stored file's bytes, one chunk at a time. */
export async function * readUpload (db: Knex, workspaceId: string, uploadId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = await db('csv_upload_chunks').where({ workspace_id: workspaceId, upload_id: uploadId, seq }).first('data')
    if (!row) return
    yield row.data as Buffer
  }
}

/** A ready upload of the workspace, or undefined (another workspace's is not found either). */
export async function findUpload (db: Knex | Knex.Transaction, workspaceId: string, id: string): Promise<CsvUpload | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
  return await db('csv_uploads').where({ workspace_id: workspaceId, id, status: 'ready' }).first()
}

export async function deleteUpload (db: Knex | Knex.Transaction, workspaceId: string, id: string): Promise<void> {
  await db('csv_uploads').where({ workspace_id: workspaceId, id }).delete()
}

/**
 * Deletes what is no longer needed, in one statement: files whose import has ended (whatever its
 * outcome), files nobody imported within a day (unless a run is reading them), and uploads that
 * never finished (a process that stopped mid-upload). Of one workspace, or of all.
 */
export async function sweepUploads (db: Knex, workspaceId?: string): Promise<number> {
  return await db.raw(`
    DELETE FROM csv_uploads u
    WHERE ${workspaceId ? 'u.workspace_id = :ws AND' : ''} (
      (u.status = 'uploading' AND u.created_at < now() - interval '1 hour')
      OR EXISTS (SELECT 1 FROM integration_runs r WHERE r.workspace_id = u.workspace_id AND r.id = u.run_id
        AND NOT r.dry_run AND r.status IN ('succeeded', 'failed', 'cancelled'))
      OR (u.expires_at < now() AND NOT EXISTS (SELECT 1 FROM integration_runs r WHERE r.workspace_id = u.workspace_id AND r.id = u.run_id
        AND r.status IN ('queued', 'running', 'retry_scheduled')))
    )`, workspaceId ? { ws: workspaceId } : {}).then(r => r.rowCount ?? 0)
}
