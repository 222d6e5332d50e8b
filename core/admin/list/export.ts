import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorPage } from '../errors.ts'
import { csvStream, type CsvColumn } from './csv.ts'
import type { ListQuery } from './query.ts'

/**
 * Answers `<name>.csv`: the list as filtered, searched and sorted, streamed a batch at a time as
 * `<name>-<date>.csv`; filters that are not valid get an error page (422) instead of a file.
 */
export async function sendCsv<Row> (request: FastifyRequest, reply: FastifyReply, name: string, list: Pick<ListQuery<string, string>, 'invalid' | 'errors'>,
  columns: Array<CsvColumn<Row>>, batches: () => AsyncIterable<Row[]>) {
  if (list.invalid) {
    return errorPage(request, reply, { status: 422, title: 'Export not possible', message: `The filters are not valid: ${Object.values(list.errors).join(' ')}` })
  }
  const date = new Date().toISOString().slice(0, 10)
  return reply.type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}-${date}.csv"`)
    .send(csvStream(columns, batches()))
}
