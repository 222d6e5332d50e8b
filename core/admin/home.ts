import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Knex } from 'knex'
import { isAdmin, requireUser } from '../auth/session.ts'
import { HARDWARE_STATUSES, IDLE_SEAT_DAYS, OPEN_REQUEST_STATUSES } from '../register/index.ts'
import { formatMoney } from '../tenancy/currency.ts'

const RECENT_RUNS = 5
const RECENT_REQUESTS = 5

type StatusCount = { status: string, count: string | number }

async function countByStatus (db: Knex, table: string, workspaceId: string, statuses?: readonly string[]): Promise<Map<string, number>> {
  const rows: StatusCount[] = await db(table).where({ workspace_id: workspaceId })
    .modify(q => { if (statuses) q.whereIn('status', statuses) })
    .select('status').count({ count: '*' }).groupBy('status')
  return new Map(rows.map(r => [r.status, Number(r.count)]))
}

/** The register at a glance for admins: every figure an aggregate query, links only to pages that exist. */
async function adminHome (app: FastifyInstance, workspaceId: string, currency: string) {
  const page = (url: string) => app.hasRoute({ method: 'GET', url })
  const [hardware, idle, requests, runs] = await Promise.all([
    countByStatus(app.db, 'hardware', workspaceId),
    app.registry.software.idleSeats(workspaceId),
    countByStatus(app.db, 'asset_requests', workspaceId, OPEN_REQUEST_STATUSES),
    app.db('integration_runs').where({ workspace_id: workspaceId })
      .select('id', 'plugin_id', 'kind', 'status', 'created', 'updated', 'unchanged', 'skipped', 'errors', 'finished_at', 'created_at')
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(RECENT_RUNS)
  ])
  const hardwareList = page('/hardware')
  const pluginPage = page('/settings/integrations/:id')
  return {
    hardware: HARDWARE_STATUSES.map(status => ({ status, count: hardware.get(status) ?? 0 })),
    hardwareTotal: [...hardware.values()].reduce((a, b) => a + b, 0),
    hardwareUrl: hardwareList ? '/hardware' : null,
    available: hardware.get('available') ?? 0,
    availableUrl: hardwareList ? '/hardware?status=available' : null,
    idle: { seats: idle.seats, monthlyCost: formatMoney(idle.monthlyCost, currency), days: IDLE_SEAT_DAYS },
    softwareUrl: page('/software') ? '/software' : null,
    requests: OPEN_REQUEST_STATUSES.map(status => ({ status, count: requests.get(status) ?? 0 })),
    openRequests: [...requests.values()].reduce((a, b) => a + b, 0),
    requestsUrl: page('/requests') ? '/requests' : null,
    runs: runs.map(run => {
      const plugin = app.integrations.plugin(run.plugin_id)
      return { ...run, name: plugin?.manifest.name ?? run.plugin_id, url: plugin && pluginPage ? `/settings/integrations/${run.plugin_id}` : null }
    })
  }
}

/** An employee's own things: what they hold and what they asked for. */
async function personalHome (app: FastifyInstance, workspaceId: string, userId: string) {
  const [holdings, requests] = await Promise.all([
    app.registry.people.holdings(workspaceId, userId),
    app.registry.requests.list(workspaceId, { requesterId: userId, limit: RECENT_REQUESTS })
  ])
  return { ...holdings, requests, newRequestUrl: app.hasRoute({ method: 'GET', url: '/requests/new' }) ? '/requests/new' : null }
}

export default async function homeRoutes (app: FastifyInstance) {
  app.get('/', { preHandler: requireUser() }, async (request: FastifyRequest, reply) => {
    const ws = request.workspace.id
    if (isAdmin(request)) return reply.view('pages/home', { title: 'Overview', admin: await adminHome(app, ws, request.workspace.currency) })
    return reply.view('pages/home', { title: 'Overview', personal: await personalHome(app, ws, request.user!.id) })
  })
}
