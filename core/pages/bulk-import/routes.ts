// Admin → Bulk import: "Import from your MDM". Per source a Configured badge, Preview (a dry run)
// and Import, each queued as an integration run and followed by polling the run's area.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ADMIN_ROLES } from '../../auth/roles.ts'
import { requireUser } from '../../auth/session.ts'
import { isHtmx, redirectPage } from '../../admin/errors.ts'
import { RunActiveError, type DiscoveredPlugin, type RunRow } from '../../integrations/index.ts'
import { BASE, isSourceConfigured, mdmPlugin, mdmSources, sourceRunView, type MdmSource } from './sources.ts'
import csvImportRoutes, { csvSections } from './csv-routes.ts'
import { csvKindOf } from '../../csv-import/index.ts'

type SourceRequest = FastifyRequest<{ Params: { id: string } }>
type RunRequest = FastifyRequest<{ Params: { id: string, runId: string } }>

class NotFoundError extends Error {
  statusCode = 404
}

const recordsOf = (plugin: DiscoveredPlugin) => csvKindOf(plugin.id) ? 'rows' : 'devices'

/** An MDM source, or a CSV import's built-in source (whose runs share the run routes). */
function source (app: FastifyInstance, id: string): DiscoveredPlugin {
  const plugin = mdmPlugin(app, id) ?? (csvKindOf(id) ? app.integrations.plugin(id) : undefined)
  if (!plugin) throw new NotFoundError('There is no MDM source to import from at this address.')
  return plugin
}

/** A sync run of this source in the request's workspace, or 404. */
async function sourceRun (app: FastifyInstance, request: RunRequest): Promise<{ plugin: DiscoveredPlugin, run: RunRow }> {
  const plugin = source(app, request.params.id)
  const run = await app.integrations.run(request.workspace.id, request.params.runId)
  if (!run || run.plugin_id !== plugin.id || run.kind !== 'sync') throw new NotFoundError('There is no such import of this source.')
  return { plugin, run }
}

async function renderPage (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, shown?: RunRow) {
  const sources = await mdmSources(app, request.workspace.id)
  const csv = await csvSections(app, request.workspace.id)
  // A run's own address shows that run in its source's area, even if a newer one exists.
  if (shown) for (const s of [...sources, ...csv]) if (s.id === shown.plugin_id) s.run = sourceRunView(s.id, shown, csvKindOf(s.id) ? 'rows' : 'devices')
  return reply.view('pages/bulk-import', { title: 'Bulk import', sources, csv, csvMaxMb: app.config.csvMaxMb })
}

/** Once a run has ended or waits to retry, its source's badges (Configured, Needs attention and why), swapped out of band. */
async function finishedStatus (app: FastifyInstance, workspaceId: string, pluginId: string, run: { pending: boolean, retrying: boolean }): Promise<MdmSource | null> {
  if (run.pending && !run.retrying) return null
  return (await mdmSources(app, workspaceId)).find(s => s.id === pluginId) ?? null
}

/** Preview and Import: queue the run (a dry run for Preview) and answer with its polling area. */
async function start (app: FastifyInstance, request: SourceRequest, reply: FastifyReply, dryRun: boolean) {
  const plugin = source(app, request.params.id)
  const ws = request.workspace
  const htmx = isHtmx(request)
  const name = plugin.manifest.name
  if (!await isSourceConfigured(app, ws.id, plugin.id)) {
    const notice = `${name} is not configured. Finish its setup in Settings → Integrations, then ${dryRun ? 'preview' : 'import'}.`
    if (!htmx) {
      reply.flash('error', notice)
      return redirectPage(request, reply, BASE)
    }
    return reply.code(422).view('partials/bulk-import-run', { fragment: true, notice, error: true })
  }
  let run: RunRow
  try {
    run = await app.integrations.sync(ws.id, plugin.id, { dryRun })
  } catch (err) {
    if (!(err instanceof RunActiveError)) throw err
    const active = err.runId ? await app.integrations.run(ws.id, err.runId) : undefined
    const notice = `${active?.kind === 'test' ? 'A connection test' : active?.dry_run === true ? 'A preview' : 'An import'} of ${name} is already running.`
    if (!htmx) {
      reply.flash('info', notice)
      return redirectPage(request, reply, active?.kind === 'sync' ? `${BASE}/${plugin.id}/runs/${active.id}` : BASE)
    }
    return reply.code(409).view('partials/bulk-import-run', { fragment: true, notice, run: active?.kind === 'sync' ? sourceRunView(plugin.id, active) : null })
  }
  if (!htmx) return redirectPage(request, reply, `${BASE}/${plugin.id}/runs/${run.id}`)
  return reply.view('partials/bulk-import-run', { fragment: true, run: sourceRunView(plugin.id, run) })
}

/** Admins (admin, IT admin, super admin) only, like the other admin pages. */
export default async function bulkImportRoutes (app: FastifyInstance) {
  const admins = { preHandler: requireUser(ADMIN_ROLES) }
  await app.register(csvImportRoutes)

  app.get(BASE, admins, (request, reply) => renderPage(app, request, reply))
  app.post(`${BASE}/:id/preview`, admins, (request: SourceRequest, reply) => start(app, request, reply, true))
  app.post(`${BASE}/:id/import`, admins, (request: SourceRequest, reply) => start(app, request, reply, false))

  app.get(`${BASE}/:id/runs/:runId`, admins, async (request: RunRequest, reply) => {
    const { plugin, run } = await sourceRun(app, request)
    reply.header('Vary', 'HX-Request').header('Cache-Control', 'no-store')
    if (isHtmx(request)) {
      const view = sourceRunView(plugin.id, run, recordsOf(plugin))
      return reply.view('partials/bulk-import-run', { fragment: true, run: view, status: await finishedStatus(app, request.workspace.id, plugin.id, view) })
    }
    return renderPage(app, request, reply, run)
  })

  /** Cancel, on a pending import's area (as on the integration's card). */
  app.post(`${BASE}/:id/runs/:runId/cancel`, admins, async (request: RunRequest, reply) => {
    const { plugin } = await sourceRun(app, request)
    const result = await app.integrations.cancel(request.workspace.id, request.actor(), plugin.id, request.params.runId)
    if (!result) throw new NotFoundError('There is no such import of this source.')
    const notice = result.cancelled ? null : `This ${result.run.dry_run ? 'preview' : 'import'} had already ended.`
    if (!isHtmx(request)) {
      reply.flash(result.cancelled ? 'success' : 'info', notice ?? `${plugin.manifest.name}: cancelled.`)
      return redirectPage(request, reply, `${BASE}/${plugin.id}/runs/${result.run.id}`)
    }
    const view = sourceRunView(plugin.id, result.run, recordsOf(plugin))
    return reply.view('partials/bulk-import-run', { fragment: true, notice, run: view, status: await finishedStatus(app, request.workspace.id, plugin.id, view) })
  })

  app.get(`${BASE}/:id/runs/:runId/errors`, admins, async (request: RunRequest, reply) => {
    const { plugin, run } = await sourceRun(app, request)
    const view = sourceRunView(plugin.id, run, recordsOf(plugin))
    const kept = run.error_details ?? []
    return reply.view('pages/bulk-import-errors', {
      title: `Rows that failed · ${plugin.manifest.name} · Bulk import`,
      source: { id: plugin.id, name: plugin.manifest.name },
      csv: csvKindOf(plugin.id) !== undefined,
      run: view,
      what: run.dry_run ? 'preview' : 'import',
      startedAt: run.created_at,
      errors: kept,
      notKept: Math.max(0, run.errors - kept.length)
    })
  })
}
