import fp from 'fastify-plugin'
import { CsvImports } from './service.ts'
import { csvSources } from './source.ts'
import { sweepUploads } from './uploads.ts'

export { CsvImports, CsvMappingError, checkMapping, csvTemplate } from './service.ts'
export { CsvFileError, type CsvUpload } from './uploads.ts'
export { CSV_IMPORTS, CSV_KINDS, isCsvKind, type CsvKind, type Mapping } from './fields.ts'
export { DATE_FORMATS, isDateFormat, type DateFormat } from './cells.ts'
export { csvKindOf, csvSourceId } from './source.ts'

declare module 'fastify' {
  interface FastifyInstance {
    csvImports: CsvImports
  }
}

const SWEEP_JOB = 'csv.upload-sweep'

/** CSV imports: their sources join the integrations' runs; files no longer needed are deleted every 5 minutes. */
export default fp(async app => {
  app.integrations.addSources(csvSources(app.db))
  app.decorate('csvImports', new CsvImports(app))
  app.jobs.define({ name: SWEEP_JOB, policy: 'singleton', cron: '*/5 * * * *', handler: async () => { await sweepUploads(app.db) } })
}, { name: 'csv-imports', dependencies: ['integrations'] })
