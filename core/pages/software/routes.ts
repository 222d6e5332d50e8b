import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { requireUser } from '../../auth/session.ts'
import type { RawQuery } from '../../admin/list/index.ts'
import { showDetail } from './detail.ts'
import { createSoftware, renderEdit, renderNew, updateSoftware, type IdRequest } from './form-page.ts'
import { renderList, sendSoftwareCsv } from './list-page.ts'
import { formBody, idParams, listQuery, seatParams, seatQuery } from './schemas.ts'
import { assignSeat, revokeFromSoftware, saveSeatCount, type SeatRequest } from './seats.ts'

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>
type FormRequest = FastifyRequest<{ Body: Record<string, unknown> | undefined }>

/**
 * Software licences and their seats. Admins see every licence with its utilization and spend,
 * and assign, revoke and count seats; an employee's /software lists the seats they hold.
 */
export default async function softwareRoutes (app: FastifyInstance) {
  const signedIn = requireUser()
  const admins = requireUser(ADMIN_ROLES)
  const form = { body: formBody }

  app.get('/software', { preHandler: signedIn, schema: { querystring: listQuery } }, (request: ListRequest, reply) => renderList(app, request, reply))
  app.get('/software.csv', { preHandler: admins, schema: { querystring: listQuery } }, (request: ListRequest, reply) => sendSoftwareCsv(app, request, reply))

  app.get('/software/new', { preHandler: admins }, (request, reply) => renderNew(request, reply))
  app.post('/software/new', { preHandler: admins, schema: form }, (request: FormRequest, reply) => createSoftware(app, request, reply))

  app.get('/software/:id', { preHandler: admins, schema: { params: idParams, querystring: seatQuery } }, (request: IdRequest, reply) => showDetail(app, request, reply))
  app.get('/software/:id/edit', { preHandler: admins, schema: { params: idParams } }, (request: IdRequest, reply) => renderEdit(app, request, reply))
  app.post('/software/:id/edit', { preHandler: admins, schema: { params: idParams, ...form } }, (request: IdRequest, reply) => updateSoftware(app, request, reply))
  app.post('/software/:id/seats', { preHandler: admins, schema: { params: idParams, ...form } }, (request: IdRequest, reply) => assignSeat(app, request, reply))
  app.post('/software/:id/seats/:seatId/revoke', { preHandler: admins, schema: { params: seatParams, ...form } },
    (request: SeatRequest, reply) => revokeFromSoftware(app, request, reply))
  app.post('/software/:id/seat-count', { preHandler: admins, schema: { params: idParams, ...form } }, (request: IdRequest, reply) => saveSeatCount(app, request, reply))
}
