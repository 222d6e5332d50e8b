// Settings → API & webhooks: mint a token (its secret shown once), list the tokens, revoke one;
// the webhooks section's routes are in core/webhooks/pages.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireUser } from '../auth/session.ts'
import { ADMIN_ROLES } from '../auth/roles.ts'
import { first as text } from '../admin/list/index.ts'
import { redirectPage } from '../admin/errors.ts'
import { revealViews } from '../admin/reveal-once.ts'
import { ValidationError, type FieldError } from '../register/index.ts'
import { ABILITIES, ABILITY_LABELS } from './abilities.ts'
import { MAX_EXPIRY_DAYS } from './tokens.ts'
import { nameMessage, revokeTokenRoute, tokenView } from './token-page.ts'
import webhookPages, { EMPTY_WEBHOOK_FORM, webhookFormView, subscriptionView, type WebhookForm } from '../webhooks/pages.ts'

type Body = Record<string, unknown> | undefined
interface FormValues { name: string, abilities: string[], expires_in_days: string }
type FormErrors = Partial<Record<keyof FormValues, string>>

const EMPTY: FormValues = { name: '', abilities: [], expires_in_days: '' }

/** What an admin reads beside a field the token service refused. */
function message (e: FieldError): string {
  if (e.field === 'name') return nameMessage(e, 'the system that will use it')
  if (e.field.startsWith('abilities')) return 'Choose among the listed abilities.'
  if (e.rule === 'maximum') return `A token can last at most ${MAX_EXPIRY_DAYS} days: the cap forces a yearly rotation. Enter ${MAX_EXPIRY_DAYS} or fewer, or leave it empty for no expiry.`
  return `Enter a whole number of days from 1 to ${MAX_EXPIRY_DAYS}, or leave it empty for no expiry.`
}

interface PageState {
  status?: number
  values?: FormValues
  errors?: FormErrors
  webhook?: WebhookForm
}

/** The kinds of secret this page shows once after the form that minted them redirects here. */
export const REVEALS = { token: 'api-token', webhook: 'webhook-secret' } as const

/** The page, with the token form and the webhook form each in the state given. */
export async function renderApiSettings (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, opts: PageState = {}) {
  const [tokens, subscriptions] = await Promise.all([app.apiTokens.list(request.workspace.id), app.webhooks.list(request.workspace.id)])
  const now = Date.now()
  const values = opts.values ?? EMPTY
  // Only a plain GET shows what was minted: a refused form is not the page the redirect leads to.
  const minted = request.method === 'GET' ? await request.takeReveals(Object.values(REVEALS)) : null
  const created = revealViews(minted?.[REVEALS.token] ?? [], 'new-token')
  const webhooksCreated = revealViews(minted?.[REVEALS.webhook] ?? [], 'new-secret')
  if (created.length > 0 || webhooksCreated.length > 0) reply.header('cache-control', 'no-store')
  return reply.code(opts.status ?? 200).view('pages/settings-api', {
    title: 'API & webhooks',
    tokens: tokens.map(t => tokenView(t, now)),
    abilities: ABILITIES.map(value => ({ value, label: ABILITY_LABELS[value], checked: values.abilities.includes(value) })),
    values,
    errors: opts.errors && Object.keys(opts.errors).length > 0 ? opts.errors : null,
    created,
    maxDays: MAX_EXPIRY_DAYS,
    webhooks: subscriptions.map(subscriptionView),
    switchedOff: subscriptions.filter(s => s.disabled_reason !== null).length,
    webhookForm: webhookFormView(opts.webhook ?? EMPTY_WEBHOOK_FORM),
    webhooksCreated
  })
}

export default async function apiSettingsRoutes (app: FastifyInstance) {
  await app.register(webhookPages, { renderSettings: renderApiSettings, revealKind: REVEALS.webhook })
  app.get('/settings/api', { preHandler: requireUser(ADMIN_ROLES) }, async (request, reply) => renderApiSettings(app, request, reply))

  app.post('/settings/api/tokens', { preHandler: requireUser(ADMIN_ROLES) }, async (request: FastifyRequest<{ Body: Body }>, reply) => {
    const values: FormValues = {
      name: text(request.body?.name),
      abilities: [request.body?.abilities ?? []].flat().filter((a): a is string => typeof a === 'string'),
      expires_in_days: text(request.body?.expires_in_days)
    }
    // Not a number is passed on as typed, so the service reports it with the other fields.
    const days = values.expires_in_days === '' ? null : /^\d{1,9}$/.test(values.expires_in_days) ? Number(values.expires_in_days) : values.expires_in_days
    try {
      const { token, secret } = await app.apiTokens.create(request.workspace.id, request.actor(), { name: values.name, abilities: values.abilities, expires_in_days: days as number | null })
      await reply.revealOnce(REVEALS.token, { label: token.name, secret })
      return redirectPage(request, reply, '/settings/api')
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      const errors: FormErrors = {}
      for (const e of err.errors) errors[e.field.split('.')[0] as keyof FormValues] ??= message(e)
      return renderApiSettings(app, request, reply, { status: 422, values, errors })
    }
  })

  revokeTokenRoute(app, app.apiTokens, '/settings/api', ADMIN_ROLES)
}
