// Settings → API & webhooks, the webhooks part: subscribe (the secret shown once), a subscription's
// page with its delivery log, Send test, Redeliver, switch on or off, delete.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import { isHtmx, redirectPage } from '../admin/errors.ts'
import { ValidationError, type FieldError } from '../register/index.ts'
import { ALL_EVENTS, type Delivery, type Subscription } from './types.ts'
import { SUBSCRIBABLE_EVENTS } from './validate.ts'

type Body = Record<string, unknown> | undefined
type Id = { Params: { id: string } }

export interface WebhookForm {
  values: { url: string, events: string[] }
  errors?: Partial<Record<'url' | 'events', string>>
}

export const EMPTY_WEBHOOK_FORM: WebhookForm = { values: { url: '', events: [ALL_EVENTS] } }

export interface WebhookPagesOptions {
  /** Renders Settings → API & webhooks with the webhook form in the given state. */
  renderSettings: (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, opts: { status: number, webhook: WebhookForm }) => Promise<unknown>
  /** The one-time reveal (core/admin/reveal-once.ts) that carries a new subscription's secret to that page. */
  revealKind: string
}

const text = (value: unknown): string => {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v.trim() : ''
}
const list = (value: unknown): string[] => [value ?? []].flat().filter((v): v is string => typeof v === 'string')

function formValues (body: Body): WebhookForm['values'] {
  const events = list(body?.events)
  // "All events" wins over single ticks: it is what the admin will get.
  return { url: text(body?.url), events: events.includes(ALL_EVENTS) ? [ALL_EVENTS] : events }
}

function formErrors (errors: FieldError[]): WebhookForm['errors'] {
  const out: WebhookForm['errors'] = {}
  for (const e of errors) {
    if (e.field === 'url') {
      out.url = e.rule === 'format'
        ? 'Enter the receiver\'s address: an http or https URL, without a user name or password.'
        : e.rule === 'address'
          ? `${e.message}.` // names the host, its address and its range
          : `The address ${e.message}.`
    }
    if (e.field === 'events') out.events = 'Tick at least one event, or All events.'
  }
  return out
}

export function webhookFormView (form: WebhookForm) {
  return {
    ...form,
    events: SUBSCRIBABLE_EVENTS.map(value => ({ value, label: value === ALL_EVENTS ? 'All events, including ones added later' : value, checked: form.values.events.includes(value) }))
  }
}

export function subscriptionView (s: Subscription) {
  return { ...s, allEvents: s.events.includes(ALL_EVENTS), state: s.active ? 'active' : s.disabled_reason ? 'switched-off' : 'off' }
}

const deliveryView = (d: Delivery) => ({ ...d, ping: d.event_type === 'test.ping' })

interface SubscriptionPage { status?: number, values?: WebhookForm['values'], errors?: WebhookForm['errors'], cursor?: string }

async function renderSubscription (app: FastifyInstance, request: FastifyRequest<Id>, reply: FastifyReply, opts: SubscriptionPage = {}) {
  const workspaceId = request.workspace.id
  const subscription = await app.webhooks.get(workspaceId, request.params.id)
  const log = await app.webhooks.deliveries(workspaceId, subscription.id, { cursor: opts.cursor })
  const form = webhookFormView({ values: opts.values ?? { url: subscription.url, events: subscription.events }, errors: opts.errors })
  return reply.code(opts.status ?? 200).view('pages/settings-webhook', {
    title: `Webhook ${subscription.url}`,
    subscription: subscriptionView(subscription),
    form: { ...form, errors: form.errors && Object.keys(form.errors).length > 0 ? form.errors : null },
    deliveries: log.data.map(deliveryView),
    next: log.next
  })
}

export default async function webhookPages (app: FastifyInstance, opts: WebhookPagesOptions) {
  const admin = { preHandler: requireUser(ADMIN_ROLES) }
  const back = (id: string) => `/settings/api/webhooks/${id}`

  app.post('/settings/api/webhooks', admin, async (request: FastifyRequest<{ Body: Body }>, reply) => {
    const values = formValues(request.body)
    try {
      const { subscription, secret } = await app.webhooks.create(request.workspace.id, request.actor(), values)
      await reply.revealOnce(opts.revealKind, { label: subscription.url, secret })
      return redirectPage(request, reply, '/settings/api#webhooks-heading')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return await opts.renderSettings(app, request, reply, { status: 422, webhook: { values, errors: formErrors(err.errors) } })
    }
  })

  app.get('/settings/api/webhooks/:id', admin, async (request: FastifyRequest<Id>, reply) => renderSubscription(app, request, reply))

  // "Load more" of the delivery log: the next rows only.
  app.get('/settings/api/webhooks/:id/deliveries', admin, async (request: FastifyRequest<Id & { Querystring: { cursor?: string } }>, reply) => {
    const cursor = text(request.query.cursor) || undefined
    if (!isHtmx(request)) return renderSubscription(app, request, reply, { cursor })
    const log = await app.webhooks.deliveries(request.workspace.id, request.params.id, { cursor })
    return reply.view('partials/webhook-deliveries', { subscription: { id: request.params.id }, deliveries: log.data.map(deliveryView), next: log.next, fragment: true })
  })

  app.post('/settings/api/webhooks/:id', admin, async (request: FastifyRequest<Id & { Body: Body }>, reply) => {
    const values = formValues(request.body)
    try {
      await app.webhooks.update(request.workspace.id, request.actor(), request.params.id, values)
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return renderSubscription(app, request, reply, { status: 422, values, errors: formErrors(err.errors) })
    }
    reply.flash('success', 'The webhook is saved.')
    return redirectPage(request, reply, back(request.params.id))
  })

  app.post('/settings/api/webhooks/:id/active', admin, async (request: FastifyRequest<Id & { Body: Body }>, reply) => {
    const active = text(request.body?.active) === 'true'
    await app.webhooks.update(request.workspace.id, request.actor(), request.params.id, { active })
    reply.flash('success', active ? 'The webhook is on: new events are sent to it. Redeliver the ones it missed from its log.' : 'The webhook is off: no events are sent to it.')
    return redirectPage(request, reply, back(request.params.id))
  })

  app.post('/settings/api/webhooks/:id/test', admin, async (request: FastifyRequest<Id>, reply) => {
    await app.webhooks.ping(request.workspace.id, request.actor(), request.params.id)
    reply.flash('success', 'A test.ping event is on its way: its delivery is at the top of the log (refresh to see how it went).')
    return redirectPage(request, reply, back(request.params.id))
  })

  app.post('/settings/api/webhooks/:id/deliveries/:deliveryId/redeliver', admin, async (request: FastifyRequest<{ Params: { id: string, deliveryId: string } }>, reply) => {
    const delivery = await app.webhooks.redeliver(request.workspace.id, request.actor(), request.params.id, request.params.deliveryId)
    reply.flash('success', `The ${delivery.event_type} event is being sent again, with the same webhook-id.`)
    return redirectPage(request, reply, back(request.params.id))
  })

  app.post('/settings/api/webhooks/:id/delete', admin, async (request: FastifyRequest<Id>, reply) => {
    const subscription = await app.webhooks.get(request.workspace.id, request.params.id)
    await app.webhooks.remove(request.workspace.id, request.actor(), subscription.id)
    reply.flash('success', `The webhook to ${subscription.url} is deleted, with its delivery log.`)
    return redirectPage(request, reply, '/settings/api')
  })
}
