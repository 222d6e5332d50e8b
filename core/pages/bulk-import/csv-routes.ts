// Admin → Bulk import → "Import from a CSV file": per kind a template and an upload (the file is
// the request body, streamed into storage with a size limit), then the upload's page where the
// admin checks the column of each field, Previews and Imports. Runs show in the run area the MDM
// import uses (its polling, Cancel and failed-rows routes serve both).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { requireUser } from '../../auth/session.ts'
import { isHtmx, redirectPage } from '../../admin/errors.ts'
import {
  CSV_IMPORTS, CsvFileError, CsvMappingError, csvSourceId, csvTemplate, DATE_FORMATS, isCsvKind, type CsvKind, type CsvUpload, type Mapping
} from '../../csv-import/index.ts'
import { csvRows } from '../../csv-import/rows.ts'
import { readUpload, tooLarge } from '../../csv-import/uploads.ts'
import { RunActiveError, type RunRow } from '../../integrations/index.ts'
import { BASE, sourceRunView } from './sources.ts'

const CSV_BASE = `${BASE}/csv`
/** What a browser may call a CSV file; the page's script sends text/csv. */
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel']

class NotFoundError extends Error {
  statusCode = 404
}

type KindRequest = FastifyRequest<{ Params: { kind: string } }>
type UploadRequest = FastifyRequest<{ Params: { id: string }, Body: Record<string, string | undefined> }>

function kindOf (value: string): CsvKind {
  if (!isCsvKind(value)) throw new NotFoundError('There is no CSV import of that kind: hardware, people and seats can be imported.')
  return value
}

/** The kinds for the Bulk import page: each with its template, what it recognises and its latest run. */
export async function csvSections (app: FastifyInstance, workspaceId: string) {
  const runs = await app.csvImports.latestRuns(workspaceId)
  // People first: hardware and seats find their holders among them.
  return (['people', 'hardware', 'seats'] as const).map(kind => {
    const info = CSV_IMPORTS[kind]
    const run = runs.get(kind)
    return {
      kind,
      id: csvSourceId(kind),
      title: info.title,
      titleLower: info.title.toLowerCase(),
      row: info.row,
      matchedBy: info.matchedBy,
      fields: info.fields.map(f => ({ label: f.label, required: f.required, more: f.headers.slice(1, 4).join(', ') })),
      templateUrl: `${CSV_BASE}/${kind}/template.csv`,
      uploadUrl: `${CSV_BASE}/${kind}/upload`,
      run: run ? csvRunView(run) : null
    }
  })
}

const csvRunView = (run: RunRow) => sourceRunView(run.plugin_id, run, 'rows')

/** The upload's page: the column of each field (changeable), the first row as an example, Preview and Import. */
async function renderUpload (app: FastifyInstance, reply: FastifyReply, upload: CsvUpload, extra: { errors?: Record<string, string>, status?: number } = {}) {
  const info = CSV_IMPORTS[upload.kind]
  let example: string[] = []
  for await (const row of csvRows(readUpload(app.db, upload.workspace_id, upload.id), upload.delimiter)) {
    if (row.line > 1) {
      example = row.cells
      break
    }
  }
  const run = upload.run_id ? await app.integrations.run(upload.workspace_id, upload.run_id) : undefined
  const errors = extra.errors ?? {}
  return reply.code(extra.status ?? 200).view('pages/bulk-import-csv', {
    title: `${info.title} from ${upload.filename} · Bulk import`,
    upload,
    kind: info,
    separator: { ',': 'commas', ';': 'semicolons', '\t': 'tabs' }[upload.delimiter],
    actionBase: `${CSV_BASE}/uploads/${upload.id}`,
    fields: info.fields.map(f => ({
      key: f.key,
      label: f.label,
      required: f.required,
      error: errors[f.key],
      example: upload.mapping[f.key] === undefined ? '' : example[upload.mapping[f.key]] ?? '',
      options: upload.headers.map((header, index) => ({ index, header: header || `Column ${index + 1}`, selected: upload.mapping[f.key] === index }))
    })),
    errorList: Object.entries(errors).map(([key, message]) => ({ key, message })),
    dateFormats: DATE_FORMATS.map(format => ({ format, selected: format === upload.date_format })),
    run: run ? csvRunView(run) : null
  })
}

/** The form's mapping: `map.<field>` is a column index, or blank for "not imported". */
function mappingOf (upload: CsvUpload, body: Record<string, string | undefined>): Mapping {
  const mapping: Mapping = {}
  for (const field of CSV_IMPORTS[upload.kind].fields) {
    const value = body[`map.${field.key}`]
    if (value !== undefined && value !== '') mapping[field.key] = /^\d{1,4}$/.test(value) ? Number(value) : -1
  }
  return mapping
}

async function findUpload (app: FastifyInstance, request: UploadRequest): Promise<CsvUpload> {
  const upload = await app.csvImports.find(request.workspace.id, request.params.id)
  if (!upload) throw new NotFoundError('This file is no longer kept: it was imported already, or was uploaded more than a day ago. Upload it again from Bulk import.')
  return upload
}

async function start (app: FastifyInstance, request: UploadRequest, reply: FastifyReply, dryRun: boolean) {
  const upload = await findUpload(app, request)
  const body = request.body ?? {}
  const mapping = mappingOf(upload, body)
  const dateFormat = body.date_format as CsvUpload['date_format'] | undefined
  const htmx = isHtmx(request)
  let run: RunRow
  try {
    run = await app.csvImports.start(request.workspace.id, request.actor(), upload, { dryRun, mapping, dateFormat })
  } catch (err) {
    if (err instanceof CsvMappingError) {
      if (!htmx) return await renderUpload(app, reply, { ...upload, mapping }, { errors: err.fields, status: 422 })
      return reply.code(422).view('partials/bulk-import-run', { fragment: true, error: true, notice: `Nothing was ${dryRun ? 'previewed' : 'imported'}: ${err.message}` })
    }
    if (!(err instanceof RunActiveError)) throw err
    const active = err.runId ? await app.integrations.run(request.workspace.id, err.runId) : undefined
    const notice = `${active?.dry_run === true ? 'A preview' : 'An import'} of ${CSV_IMPORTS[upload.kind].title.toLowerCase()} from a CSV file is already running; wait for it to end, or cancel it.`
    if (!htmx) {
      reply.flash('info', notice)
      return redirectPage(request, reply, `${CSV_BASE}/uploads/${upload.id}`)
    }
    return reply.code(409).view('partials/bulk-import-run', { fragment: true, notice, run: active ? csvRunView(active) : null })
  }
  if (!htmx) return redirectPage(request, reply, `${CSV_BASE}/uploads/${upload.id}`)
  return reply.view('partials/bulk-import-run', { fragment: true, run: csvRunView(run) })
}

/** The upload's answer to the page's script: where to go, or why the file was refused (problem+json). */
function refuse (reply: FastifyReply, status: number, detail: string) {
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', title: status === 413 ? 'File too large' : 'File not accepted', status, detail })
}

export default async function csvImportRoutes (app: FastifyInstance) {
  const admins = { preHandler: requireUser(ADMIN_ROLES) }
  // The file is the body, streamed to storage as it arrives (never parsed or held whole here).
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => { done(null, payload) })
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => { done(null, { multipart: true }) })

  app.get(`${CSV_BASE}/:kind/template.csv`, admins, async (request: KindRequest, reply) => {
    const kind = kindOf(request.params.kind)
    return reply.type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="stocktake-${kind}-template.csv"`)
      .send(csvTemplate(kind))
  })

  app.post(`${CSV_BASE}/:kind/upload`, admins, async (request: KindRequest, reply) => {
    const kind = kindOf(request.params.kind)
    const body = request.body as AsyncIterable<Buffer> | { multipart: true } | undefined
    if (body === undefined || !(Symbol.asyncIterator in Object(body))) {
      return refuse(reply, 415, 'The file must be sent by this page\'s upload button (it needs JavaScript), or with `npx stocktake import`.')
    }
    const declared = Number(request.headers['content-length'])
    if (declared > app.csvImports.maxBytes) return refuse(reply, 413, tooLarge(app.csvImports.maxBytes).message)
    const name = decodeName(request.headers['x-filename'])
    try {
      const upload = await app.csvImports.upload(request.workspace.id, request.actor(), kind, name, body as AsyncIterable<Buffer>)
      return reply.code(201).header('Location', `${CSV_BASE}/uploads/${upload.id}`).send({ location: `${CSV_BASE}/uploads/${upload.id}` })
    } catch (err) {
      if (err instanceof CsvFileError) return refuse(reply, err.status, err.message)
      throw err
    }
  })

  app.get(`${CSV_BASE}/uploads/:id`, admins, async (request: UploadRequest, reply) => {
    reply.header('Cache-Control', 'no-store')
    return await renderUpload(app, reply, await findUpload(app, request))
  })
  app.post(`${CSV_BASE}/uploads/:id/preview`, admins, (request: UploadRequest, reply) => start(app, request, reply, true))
  app.post(`${CSV_BASE}/uploads/:id/import`, admins, (request: UploadRequest, reply) => start(app, request, reply, false))
}

function decodeName (header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header
  if (!raw) return 'upload.csv'
  try {
    return decodeURIComponent(raw).replace(/[\p{Cc}\\/]/gu, '_').slice(0, 255)
  } catch {
    return 'upload.csv'
  }
}
