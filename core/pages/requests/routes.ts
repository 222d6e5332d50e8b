import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireUser } from '../../auth/session.ts'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { listHref, type RawQuery } from '../../admin/list/index.ts'
import { createRequest, renderNew } from './create.ts'
import { sendCsv } from './csv.ts'
import { decide, type Decision } from './decide.ts'
import { renderDetail, requestFor, type IdRequest } from './detail.ts'
import { readRequestList, requestPage, STATUS_FILTERS } from './list.ts'
import { detailQuery, formBody } from './schemas.ts'
import { withdraw } from './withdraw.ts'

const PAGE_SIZE = 50

type ListRequest = FastifyRequest<{ Querystring: RawQuery }>

/** Asset requests: employees file and follow their own; admins approve, reject and fulfil them. */
export default async function requestRoutes (app: FastifyInstance) {
  const signedIn = requireUser()
  const admins = requireUser(ADMIN_ROLES)

  app.get('/requests', { preHandler: signedIn }, async (request: ListRequest, reply) => {
    const read = readRequestList(request)
    const { list, filter } = read
    const page = await requestPage(app.db, request.workspace.id, read, PAGE_SIZE)
    const data = {
      title: 'Requests',
      filters: STATUS_FILTERS.map(f => ({ ...f, current: f.value === filter, href: listHref('/requests', list.params, { status: f.value }) })),
      filter,
      errors: list.errors,
      rows: page.rows,
      paged: list.cursor !== null,
      firstUrl: listHref('/requests', list.params),
      nextUrl: page.next ? listHref('/requests', list.params, { after: page.next }) : null,
      csvUrl: listHref('/requests.csv', list.params)
    }
    reply.header('Vary', 'HX-Request, HX-Target')
    if (list.invalid) reply.code(422)
    const target = request.headers['hx-target']
    if (target === 'requests-more' && !list.invalid) return reply.view('partials/requests/rows', { ...data, fragment: true })
    if (target === 'requests-panel') return reply.view('partials/requests/panel', { ...data, fragment: true })
    return reply.view('pages/requests/list', data)
  })

  app.get('/requests.csv', { preHandler: signedIn }, async (request: ListRequest, reply) => sendCsv(app, request, reply))

  app.get('/requests/new', { preHandler: signedIn }, async (request, reply) => renderNew(app, request, reply))

  app.post('/requests', { preHandler: signedIn, schema: { body: formBody } }, async (request: FastifyRequest<{ Body: Record<string, unknown> }>, reply) => {
    return createRequest(app, request, reply)
  })

  app.get('/requests/:id', { preHandler: signedIn, schema: { querystring: detailQuery } }, async (request: IdRequest, reply) => {
    return renderDetail(app, request, reply, await requestFor(app, request))
  })

  app.post('/requests/:id/withdraw', { preHandler: signedIn, schema: { body: formBody } }, async (request: IdRequest, reply) => {
    return withdraw(app, request, reply)
  })

  for (const decision of ['approve', 'reject', 'fulfil'] as Decision[]) {
    app.post(`/requests/:id/${decision}`, { preHandler: admins, schema: { body: formBody } }, async (request: IdRequest, reply) => {
      return decide(app, request, reply, decision)
    })
  }
}
