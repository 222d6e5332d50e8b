// Settings → Integrations: the grid of connector cards with category pills, and per connector a
// modal (a full page without JavaScript) to save settings, test the connection and disconnect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import { isHtmx, redirectPage } from '../admin/errors.ts'
import { cardContext, renderCard, type CardContext } from './card-context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { RunActiveError, type RunRow } from './runs.ts'
import { reviewNotice, reviewView } from './review-view.ts'
import { parseGuardPercent, RemovalGuardError } from './removal-guard.ts'
import { trackedModels } from './sync-deletes-manifest.ts'
import { runView } from './run-view.ts'
import { describeInterval, ScheduleError } from './schedule.ts'
import { needsConsent } from './service.ts'
import { cardView, gridView, INTEGRATIONS_PAGE, type CardView } from './grid-view.ts'
import { redirectUri } from './oauth-routes.ts'
import { isCoreHosted, pluginPageActions, pluginPageUrl, renderPluginPage, type PluginPageState } from './plugin-page.ts'
import type { SettingsFieldError } from './settings-validation.ts'
import { fieldMessage, genericField, scheduleView } from './settings-form-parts.ts'
import { guardConfiguration, mayConfigure, SIGN_IN_CONFIGURATION_NOTE } from '../auth/sso/configure-guard.ts'
import { workspaceUrl } from '../config.ts'
import { mailCardView } from '../mail/card-view.ts'
import { MailNotConnectedError } from '../mail/index.ts'

type Body = Record<string, unknown> | undefined
type IdParams = { Params: { id: string } }

const BASE = INTEGRATIONS_PAGE

class IntegrationNotFoundError extends Error {
  statusCode = 404
  constructor () { super('There is no integration to configure at this address.') }
}

class RunNotFoundError extends Error {
  statusCode = 404
  constructor () { super('There is no such run of this integration.') }
}

function text (value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}

interface FormState {
  /** What the user typed (after a refused save): non-secret values and the Enabled box. */
  typed?: { values: Record<string, unknown>, enabled: boolean }
  errors?: SettingsFieldError[]
  saved?: boolean
  notice?: string
  scheduleError?: string
  /** The removal guard's share as typed, and why it was refused. */
  guardTyped?: string
  guardError?: string
}

export async function integrationRoutes (app: FastifyInstance) {
  const admin = { preHandler: requireUser(ADMIN_ROLES) }

  // Every change to a sign-in plugin (its form, runs, page actions, disconnect) is for super-admins only.
  app.addHook('preHandler', async request => {
    if (request.method !== 'POST') return
    // Page actions have no :id, so the plugin is read from the path, as the router decoded it.
    const params = request.params as { id?: unknown }
    const id = typeof params.id === 'string' ? params.id : new RegExp(`^${BASE}/([a-z0-9-]+)/`).exec(request.url)?.[1]
    const plugin = id === undefined ? undefined : app.integrations.plugin(id)
    if (plugin !== undefined) await guardConfiguration(request, plugin)
  })

  /** A plugin whose settings are saved here: known, not coming soon, not on a page the core hosts elsewhere. */
  function configurable (id: string): DiscoveredPlugin {
    const plugin = app.integrations.plugin(id)
    if (!plugin || plugin.manifest.status === 'coming-soon' || hostedElsewhere(plugin)) throw new IntegrationNotFoundError()
    return plugin
  }

  const onOwnPage = (plugin: DiscoveredPlugin) => plugin.manifest.configure === 'page'
  const hostedElsewhere = (plugin: DiscoveredPlugin) => onOwnPage(plugin) && isCoreHosted(plugin.manifest)

  /** The settings form as a page of its own; a `configure: page` plugin's part below it. */
  async function renderPage (request: FastifyRequest, reply: FastifyReply, plugin: DiscoveredPlugin, form: Awaited<ReturnType<typeof formView>>, pluginState?: PluginPageState) {
    const pluginPage = onOwnPage(plugin) ? await renderPluginPage(app, request, reply, plugin, pluginState) : null
    return reply.view('partials/integration-page', { title: `${plugin.manifest.name} · Integrations`, ...form, pluginPage })
  }

  /**
   * Once a run has ended or waits to retry, its card on the grid behind the modal says what the run
   * found (Connected, Needs attention): swapped out of band, and only when the request comes from the
   * grid (elsewhere there is no card to swap).
   */
  async function finishedCard (request: FastifyRequest, run: { pending: boolean, retrying: boolean }): Promise<CardView | null> {
    if (run.pending && !run.retrying) return null
    const from = String(request.headers['hx-current-url'] ?? '')
    if (!URL.canParse(from) || new URL(from).pathname !== BASE) return null
    const id = (request.params as { id: string }).id
    return await cardOf(request.workspace.id, id)
  }

  async function cardOf (workspaceId: string, id: string): Promise<CardView | null> {
    const card = (await app.integrations.cards(workspaceId)).find(c => c.plugin.id === id)
    return card ? cardView(card) : null
  }

  /** Everything the settings form needs; secrets only ever as "saved". */
  async function formView (request: FastifyRequest, plugin: DiscoveredPlugin, state: FormState = {}) {
    const ws = request.workspace
    const stored = await app.integrations.settings.form(ws.id, plugin)
    const row = await app.integrations.settings.get(ws.id, plugin.id)
    const form = state.typed
      ? { enabled: state.typed.enabled, values: state.typed.values, secretsSaved: stored.secretsSaved }
      : stored
    const base = cardContext(plugin.manifest, plugin.settingsSchema, form)
    const errors = state.errors ?? []
    const byField: Record<string, string> = {}
    const general: string[] = []
    for (const name of new Set(errors.map(e => e.field))) {
      const field = base.fields[name]
      const list = errors.filter(e => e.field === name)
      if (field) byField[name] = fieldMessage(field.label, list, field)
      else general.push(fieldMessage(name === '(settings)' ? 'The settings' : `“${name}”`, list, undefined))
    }
    const ctx: CardContext = errors.length > 0 ? cardContext(plugin.manifest, plugin.settingsSchema, { ...form, errors: byField }) : base
    const m = plugin.manifest
    const active = await app.integrations.activeRuns(ws.id, plugin.id)
    const consent = needsConsent(plugin) ? await consentView(ws, plugin, row) : null
    const activeOf = (kind: RunRow['kind']) => active.filter(r => r.kind === kind).map(r => runView(BASE, plugin.id, r))[0] ?? null
    return {
      plugin: { id: m.id, name: m.name, description: m.description, docsUrl: m.docsUrl ?? null, vendorScopes: m.vendorScopes ?? [], preview: m.status === 'preview' },
      /** A sign-in plugin seen by an admin who is not a super-admin: shown, not changed. */
      readOnly: mayConfigure(request, plugin) ? null : { note: SIGN_IN_CONFIGURATION_NOTE },
      canTest: Boolean(plugin.connector?.test),
      canSync: Boolean(plugin.connector?.sync),
      /** Sync now and Preview changes need saved, enabled settings; Disconnect needs something saved. */
      runnable: Boolean(plugin.connector?.sync && row?.enabled),
      hasSettings: row !== undefined,
      schedule: plugin.connector?.sync ? scheduleView(plugin, row?.schedule_minutes ?? null, state.scheduleError) : null,
      /** Plugins that track deletes: the guard's share, once settings are saved, and the removals waiting for review. */
      removalGuard: row !== undefined && trackedModels(m.syncs).length > 0 ? { percent: state.guardTyped ?? row.removal_guard_percent, error: state.guardError ?? null } : null,
      review: reviewView(plugin.id, await app.integrations.review(ws.id, plugin.id)),
      lastSync: row?.last_sync_at ? { at: row.last_sync_at, ok: row.last_sync_ok } : null,
      enabled: ctx.enabled,
      cardHtml: plugin.cardTemplate !== null ? renderCard(plugin.cardTemplate, { ...ctx, workspaceUrl: workspaceUrl(app.config, ws.slug) }) : null,
      fields: plugin.cardTemplate === null ? ctx.fieldList.map(f => genericField(m.id, f)) : [],
      errors: errors.length > 0,
      generalErrors: general,
      justSaved: state.saved ?? false,
      notice: state.notice ?? null,
      // Runs in progress are shown (with Cancel) whenever the card is opened: a test and a sync each in its own area.
      testRun: activeOf('test'),
      run: activeOf('sync'),
      consent,
      mail: plugin.connector?.email ? await mailCardView(app, ws.id, request.user?.email ?? '', Boolean(row?.enabled)) : null
    }
  }

  /** A consent plugin's part of the form: the address to register at the vendor, and Connect / Reconnect. */
  async function consentView (ws: FastifyRequest['workspace'], plugin: DiscoveredPlugin, row: Awaited<ReturnType<typeof app.integrations.settings.get>>) {
    const consented = (await app.integrations.tokens.consented(ws.id)).has(plugin.id)
    return {
      redirectUri: redirectUri(app.config.baseUrl, ws.slug),
      fieldId: `integration-redirect-${plugin.id}`,
      saved: row !== undefined,
      consented,
      href: `${BASE}/${plugin.id}/connect`,
      label: consented || row?.needs_attention === true ? 'Reconnect' : `Connect with ${plugin.manifest.name}`
    }
  }

  async function renderForm (request: FastifyRequest, reply: FastifyReply, plugin: DiscoveredPlugin, state: FormState & { status?: number, oob?: boolean } = {}) {
    const form = await formView(request, plugin, state)
    reply.code(state.status ?? 200)
    if (isHtmx(request)) {
      const oobCard = state.oob ? await cardOf(request.workspace.id, plugin.id) : null
      return reply.view('partials/integration-form', { fragment: true, ...form, oobCard })
    }
    return renderPage(request, reply, plugin, form)
  }

  app.get(BASE, admin, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const grid = gridView(await app.integrations.cards(request.workspace.id), text(request.query?.category).slice(0, 100))
    reply.header('Vary', 'HX-Request, HX-Target')
    if (isHtmx(request) && request.headers['hx-target'] === 'integrations-grid') {
      return reply.view('partials/integration-grid', { fragment: true, ...grid })
    }
    return reply.view('pages/integrations', { title: 'Integrations', ...grid })
  })

  app.get(`${BASE}/:id`, admin, async (request: FastifyRequest<IdParams>, reply) => {
    const plugin = app.integrations.plugin(request.params.id)
    if (plugin && plugin.manifest.status !== 'coming-soon' && hostedElsewhere(plugin)) return reply.redirect(pluginPageUrl(plugin.manifest), 303)
    const configured = configurable(request.params.id)
    reply.header('Vary', 'HX-Request')
    const form = await formView(request, configured)
    if (isHtmx(request) && !onOwnPage(configured)) return reply.view('partials/integration-dialog', { fragment: true, ...form })
    return renderPage(request, reply, configured, form)
  })

  for (const plugin of app.integrations.plugins.filter(p => onOwnPage(p) && !hostedElsewhere(p) && p.manifest.status !== 'coming-soon')) {
    pluginPageActions(app, plugin, async (request, reply, state) =>
      await renderPage(request, reply.code(state.status), plugin, await formView(request, plugin), state))
  }

  app.post(`${BASE}/:id`, admin, async (request: FastifyRequest<IdParams & { Body: Body }>, reply) => {
    const plugin = configurable(request.params.id)
    const body = request.body ?? {}
    const input: Record<string, unknown> = Object.fromEntries(Object.entries(body).filter(([k]) => k !== '_csrf' && k !== 'enabled'))
    // A form posts nothing for a list with every box unticked: that means "none", not "the default".
    for (const [name, prop] of Object.entries(plugin.settingsSchema?.properties ?? {})) {
      if (prop.type === 'array' && !(name in input)) input[name] = []
    }
    const enabled = text(body.enabled) !== ''
    const result = await app.integrations.settings.save(request.workspace.id, request.actor(), plugin, input, { enabled })
    if (!result.ok) {
      // Re-render what was typed, minus secrets: secret inputs always come back empty.
      const secrets = new Set(Object.entries(plugin.settingsSchema?.properties ?? {}).filter(([, p]) => p.writeOnly === true).map(([k]) => k))
      const values: Record<string, unknown> = {}
      for (const [name, prop] of Object.entries(plugin.settingsSchema?.properties ?? {})) {
        if (secrets.has(name)) continue
        const typed = input[name]
        if (prop.type === 'boolean') values[name] = typed === 'true' || typed === 'on'
        else if (prop.type === 'array') values[name] = typed === undefined ? [] : [typed].flat()
        else if (typed !== undefined) values[name] = typed
      }
      return renderForm(request, reply, plugin, { status: 422, typed: { values, enabled }, errors: result.errors })
    }
    if (!isHtmx(request)) {
      reply.flash('success', `${plugin.manifest.name}: saved.`)
      return redirectPage(request, reply, `${BASE}/${plugin.id}`)
    }
    return renderForm(request, reply, plugin, { saved: true, oob: true })
  })

  /** Test connection and Sync now: queue the run, then poll it (a redirect to its page without htmx). */
  async function queueRun (request: FastifyRequest<IdParams & { Body: Body }>, reply: FastifyReply, kind: 'test' | 'sync') {
    const plugin = configurable(request.params.id)
    const ws = request.workspace
    const htmx = isHtmx(request)
    if (kind === 'test' ? !plugin.connector?.test : !plugin.connector?.sync) throw new IntegrationNotFoundError()
    const saved = await app.integrations.settings.get(ws.id, plugin.id)
    if (!saved || (kind === 'sync' && !saved.enabled)) {
      const notice = !saved
        ? `Save the settings first, then ${kind === 'test' ? 'test the connection' : 'sync'}.`
        : 'Enable the integration and save, then sync.'
      if (!htmx) {
        reply.flash('error', notice)
        return redirectPage(request, reply, `${BASE}/${plugin.id}`)
      }
      return reply.code(422).view('partials/integration-run', { fragment: true, notice, error: true })
    }
    let run: RunRow
    try {
      const options = { dryRun: kind === 'sync' && text(request.body?.dry_run) !== '' }
      run = kind === 'test' ? await app.integrations.test(ws.id, plugin.id, options) : await app.integrations.sync(ws.id, plugin.id, options)
    } catch (err) {
      if (!(err instanceof RunActiveError)) throw err
      const active = err.runId ? await app.integrations.run(ws.id, err.runId) : undefined
      const notice = `A ${active?.kind === 'sync' ? 'sync' : 'test'} of ${plugin.manifest.name} is already running.`
      if (!htmx) {
        reply.flash('info', notice)
        return redirectPage(request, reply, active ? `${BASE}/${plugin.id}/runs/${active.id}` : `${BASE}/${plugin.id}`)
      }
      return reply.code(409).view('partials/integration-run', { fragment: true, notice, run: active ? runView(BASE, plugin.id, active) : null })
    }
    if (!htmx) return redirectPage(request, reply, `${BASE}/${plugin.id}/runs/${run.id}`)
    return reply.view('partials/integration-run', { fragment: true, run: runView(BASE, plugin.id, run) })
  }

  app.post(`${BASE}/:id/test`, admin, (request: FastifyRequest<IdParams & { Body: Body }>, reply) => queueRun(request, reply, 'test'))
  app.post(`${BASE}/:id/sync`, admin, (request: FastifyRequest<IdParams & { Body: Body }>, reply) => queueRun(request, reply, 'sync'))

  app.post(`${BASE}/:id/schedule`, admin, async (request: FastifyRequest<IdParams & { Body: Body }>, reply) => {
    const plugin = configurable(request.params.id)
    if (!plugin.connector?.sync) throw new IntegrationNotFoundError()
    const raw = text(request.body?.schedule_minutes)
    const minutes = raw === '' || raw === 'off' ? null : /^\d{1,6}$/.test(raw) ? Number(raw) : NaN
    try {
      if (Number.isNaN(minutes)) throw new ScheduleError('must be Off or one of the listed intervals')
      await app.integrations.schedule(request.workspace.id, request.actor(), plugin.id, minutes)
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err
      return renderForm(request, reply, plugin, { status: 422, scheduleError: `Scheduled sync ${err.message}.` })
    }
    const notice = minutes === null ? 'Scheduled sync is off.' : `Scheduled sync: ${describeInterval(minutes).toLowerCase()}.`
    if (!isHtmx(request)) {
      reply.flash('success', `${plugin.manifest.name}: ${notice}`)
      return redirectPage(request, reply, `${BASE}/${plugin.id}`)
    }
    return renderForm(request, reply, plugin, { notice })
  })

  app.get(`${BASE}/:id/runs/:runId`, admin, async (request: FastifyRequest<{ Params: { id: string, runId: string } }>, reply) => {
    const plugin = configurable(request.params.id)
    const run = await app.integrations.run(request.workspace.id, request.params.runId)
    if (!run || run.plugin_id !== plugin.id) throw new RunNotFoundError()
    reply.header('Vary', 'HX-Request').header('Cache-Control', 'no-store')
    const view = runView(BASE, plugin.id, run)
    if (isHtmx(request)) return reply.view('partials/integration-run', { fragment: true, run: view, oobCard: await finishedCard(request, view) })
    const form = await formView(request, plugin)
    return reply.view('partials/integration-page', { title: `${plugin.manifest.name} · Integrations`, ...form, ...(run.kind === 'test' ? { testRun: view } : { run: view }) })
  })

  /** Cancel, on a pending run's area: the run ends "Cancelled by <who>" and the slot is free at once. */
  app.post(`${BASE}/:id/runs/:runId/cancel`, admin, async (request: FastifyRequest<{ Params: { id: string, runId: string } }>, reply) => {
    const plugin = configurable(request.params.id)
    const result = await app.integrations.cancel(request.workspace.id, request.actor(), plugin.id, request.params.runId)
    if (!result) throw new RunNotFoundError()
    const notice = result.cancelled ? null : `This ${result.run.kind === 'sync' ? 'sync' : 'test'} had already ended.`
    if (!isHtmx(request)) {
      reply.flash(result.cancelled ? 'success' : 'info', notice ?? `${plugin.manifest.name}: cancelled.`)
      return redirectPage(request, reply, `${BASE}/${plugin.id}/runs/${result.run.id}`)
    }
    const view = runView(BASE, plugin.id, result.run)
    return reply.view('partials/integration-run', { fragment: true, notice, run: view, oobCard: await finishedCard(request, view) })
  })

  /** Confirm removals / Dismiss on a run that needs review; another workspace's run is a 404. */
  for (const decision of ['confirm', 'dismiss'] as const) {
    app.post(`${BASE}/:id/runs/:runId/removals/${decision}`, admin, async (request: FastifyRequest<{ Params: { id: string, runId: string } }>, reply) => {
      const plugin = configurable(request.params.id)
      const result = await app.integrations.settleReview(request.workspace.id, request.actor(), plugin.id, request.params.runId, decision)
      if (!result) throw new RunNotFoundError()
      const notice = reviewNotice(result)
      if (!isHtmx(request)) {
        reply.flash(result.outcome === 'already' ? 'info' : 'success', `${plugin.manifest.name}: ${notice}`)
        return redirectPage(request, reply, `${BASE}/${plugin.id}`)
      }
      return renderForm(request, reply, plugin, { notice, oob: true })
    })
  }

  app.post(`${BASE}/:id/removal-guard`, admin, async (request: FastifyRequest<IdParams & { Body: Body }>, reply) => {
    const plugin = configurable(request.params.id)
    if (trackedModels(plugin.manifest.syncs).length === 0) throw new IntegrationNotFoundError()
    const raw = text(request.body?.removal_guard_percent)
    let percent: number
    try {
      percent = parseGuardPercent(raw)
      if (!await app.integrations.setRemovalGuard(request.workspace.id, request.actor(), plugin.id, percent)) throw new RemovalGuardError('needs the settings saved first')
    } catch (err) {
      if (!(err instanceof RemovalGuardError)) throw err
      return renderForm(request, reply, plugin, { status: 422, guardTyped: raw, guardError: `Removal guard ${err.message}.` })
    }
    const notice = `Removal guard: a sync holds its removals for review above ${percent}% of the records.`
    if (!isHtmx(request)) {
      reply.flash('success', `${plugin.manifest.name}: ${notice}`)
      return redirectPage(request, reply, `${BASE}/${plugin.id}`)
    }
    return renderForm(request, reply, plugin, { notice })
  })

  /** An email plugin's card: a test message to the admin who clicked, through the mail service (logged like any). */
  app.post(`${BASE}/:id/test-email`, admin, async (request: FastifyRequest<IdParams>, reply) => {
    const plugin = configurable(request.params.id)
    if (!plugin.connector?.email) throw new IntegrationNotFoundError()
    const to = request.user?.email ?? ''
    let notice: string
    try {
      await app.mail.send(request.workspace.id, {
        to: [to],
        subject: 'Stocktake test email',
        text: `This is a test email from Stocktake (${request.workspace.name}), sent through ${plugin.manifest.name} because you asked for one. Nothing else to do.`
      }, { kind: 'test' })
      notice = `Test email queued to ${to}: it shows below as sent or failed.`
    } catch (err) {
      if (!(err instanceof MailNotConnectedError)) throw err
      notice = 'Save the settings with Enabled ticked first, then send a test email.'
    }
    if (!isHtmx(request)) {
      reply.flash('info', notice)
      return redirectPage(request, reply, `${BASE}/${plugin.id}`)
    }
    return renderForm(request, reply, plugin, { notice })
  })

  app.post(`${BASE}/:id/disconnect`, admin, async (request: FastifyRequest<IdParams>, reply) => {
    const plugin = configurable(request.params.id)
    await app.integrations.disconnect(request.workspace, request.actor(), plugin.id)
    if (!isHtmx(request)) {
      reply.flash('success', `${plugin.manifest.name}: disconnected.`)
      return redirectPage(request, reply, BASE)
    }
    return renderForm(request, reply, plugin, { notice: 'Disconnected.', oob: true })
  })
}

export default integrationRoutes
