// A CSV import runs as a sync of a built-in source per kind (`csv-hardware`, `csv-people`,
// `csv-seats`): the same run rows, leases, Cancel, progress, preview, audit entry and crash
// recovery as an MDM import, and the same drain into the register's importers. Its connector reads
// the file uploaded for the run that is executing, row by row, and checkpoints the line it reached.
import type { Knex } from 'knex'
import type { DiscoveredPlugin } from '../integrations/index.ts'
import { ConnectorError } from '../sdk/contract.ts'
import type { SyncMessage } from '../sdk/records.ts'
import { CSV_IMPORTS, CSV_KINDS, type CsvKind } from './fields.ts'
import { RowReader } from './records.ts'
import { csvRows } from './rows.ts'
import { deleteUpload, readUpload, type CsvUpload } from './uploads.ts'

/** Rows a message: the importers' batch size, so each batch is one message and one checkpoint. */
const ROWS_A_MESSAGE = 1000

export const csvSourceId = (kind: CsvKind) => `csv-${kind}`

export function csvKindOf (pluginId: string): CsvKind | undefined {
  return CSV_KINDS.find(kind => csvSourceId(kind) === pluginId)
}

/** The file of the run of this source that is executing in the workspace (one at most: a source has one run at a time). */
async function uploadOfRunningRun (db: Knex, workspaceId: string, pluginId: string): Promise<(CsvUpload & { dry_run: boolean }) | undefined> {
  return await db('csv_uploads as u')
    .join('integration_runs as r', function () { this.on('r.id', 'u.run_id').andOn('r.workspace_id', 'u.workspace_id') })
    .where({ 'u.workspace_id': workspaceId, 'u.status': 'ready', 'r.plugin_id': pluginId, 'r.status': 'running' })
    .first('u.*', 'r.dry_run')
}

function connector (db: Knex, kind: CsvKind): NonNullable<DiscoveredPlugin['connector']> {
  const { model } = CSV_IMPORTS[kind]
  return {
    async * sync (ctx, { checkpoint }): AsyncGenerator<SyncMessage> {
      const upload = await uploadOfRunningRun(db, ctx.workspace.id, csvSourceId(kind))
      if (!upload) throw new ConnectorError('config', 'The uploaded file is no longer kept (it was imported already, or is more than a day old): upload it again.')
      const reader = new RowReader(kind, upload.headers, upload.mapping, upload.date_format)
      // A resumed run continues after the last line whose rows were written.
      const after = checkpoint?.upload === upload.id ? Number(checkpoint.line) : 0
      let records = []
      let header = true
      for await (const { line, cells } of csvRows(readUpload(db, upload.workspace_id, upload.id), upload.delimiter)) {
        if (header) {
          header = false
          continue
        }
        if (line <= after) continue
        ctx.signal.throwIfAborted()
        const outcome = reader.read(line, cells)
        if ('error' in outcome) yield { type: 'skip', externalId: `line ${line}`, reason: outcome.error }
        else records.push(outcome.record)
        if (records.length >= ROWS_A_MESSAGE) {
          yield { type: 'upsert', model, records }
          records = []
          yield { type: 'checkpoint', value: { upload: upload.id, line } }
        }
      }
      if (records.length > 0) yield { type: 'upsert', model, records }
      // Read to the end: an import's file is needed no more (a preview's is, for the import).
      if (!upload.dry_run) await deleteUpload(db, upload.workspace_id, upload.id)
    }
  }
}

/** The built-in sources of CSV imports, one per kind: runs and recovery find them like plugins; no card shows them. */
export function csvSources (db: Knex): DiscoveredPlugin[] {
  return CSV_KINDS.map(kind => {
    const id = csvSourceId(kind)
    const info = CSV_IMPORTS[kind]
    return {
      id,
      dir: '',
      manifest: {
        id,
        name: `CSV file (${info.title.toLowerCase()})`,
        version: '1.0.0',
        contract: 1,
        categories: [],
        status: 'stable',
        description: `${info.title} from a CSV file`,
        syncs: [{ id: kind, model: info.model, mode: 'full' }],
        permissions: [`${info.model}:write`]
      },
      settingsSchema: null,
      cardTemplate: null,
      pageTemplate: null,
      iconSvg: null,
      connector: connector(db, kind)
    }
  })
}
