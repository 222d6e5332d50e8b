import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorPage } from '../../admin/errors.ts'
import { csvStream, type CsvColumn, type RawQuery } from '../../admin/list/index.ts'
import { readRequestList, requestBatches } from './list.ts'
import type { RequestView } from './queries.ts'

const column = (header: string, key: keyof RequestView): CsvColumn<RequestView> => ({ header, value: row => row[key] })

const REQUEST_COLUMNS: Array<CsvColumn<RequestView>> = [
  column('Requested at', 'created_at'), column('Requester', 'requester_name'), column('Requester email', 'requester_email'),
  column('Category', 'category'), column('Details', 'description'), column('Status', 'status'), column('Decided by', 'decider_name'),
  column('Decided at', 'decided_at'), column('Rejection reason', 'rejection_reason'), column('Hardware', 'hardware_label'),
  column('Fulfilled at', 'fulfilled_at'), column('Request id', 'id')
]

/** /requests.csv: the list as filtered (and scoped to the person, for an employee), streamed a batch at a time. */
export async function sendCsv (app: FastifyInstance, request: FastifyRequest<{ Querystring: RawQuery }>, reply: FastifyReply) {
  const read = readRequestList(request)
  if (read.list.invalid) {
    return errorPage(request, reply, { status: 422, title: 'Export not possible', message: `The filter is not valid: ${Object.values(read.list.errors).join(' ')}` })
  }
  return reply.type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="requests.csv"')
    .send(csvStream(REQUEST_COLUMNS, requestBatches(app.db, request.workspace.id, read)))
}
