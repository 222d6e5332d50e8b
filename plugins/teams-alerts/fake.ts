// A local fake of a Teams Workflows webhook trigger ("Post to a channel when a webhook request is
// received"), POST [/powerautomate/automations/direct]/workflows/<id>/triggers/manual/paths/invoke
// ?api-version=…&sp=…&sv=1.0&sig=<signature>, answering as the real trigger does: 202 Accepted with
// an empty body for any JSON it takes, Logic Apps error bodies {"error":{"code","message"}} for a
// body that is not JSON (400), a missing or wrong signature (401), a caller the flow does not allow
// (403), a deleted workflow (404) and a turned-off one (WorkflowTriggerIsNotEnabled), 429 with
// Retry-After through failNext. Like Teams, it accepts a bad card with 202 and fails only the flow's
// run: every card is validated against the Adaptive Card 1.5 schema (./adaptive-card/), a failed run
// is kept in failedRuns, and close() throws while one is left unread, so a malformed card fails the
// test that posted it. Reach it with routeToFake(fake.url).
import { randomBytes } from 'node:crypto'
import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' }
import { startFakeVendor, type FakeOptions, type FakeRequest, type InjectedFailure, type PluginFake } from '../../core/sdk/testing.ts'
import adaptiveCardSchema from './adaptive-card/adaptive-card-1.5.0.json' with { type: 'json' }

export interface TeamsFakeOptions extends FakeOptions {
  /** The flow: on, turned off (or suspended by a policy), deleted, or allowing only specific users. */
  flow?: 'on' | 'off' | 'deleted' | 'specific-users'
  /** "Who can trigger the flow": Anyone (a signed URL), or any user in the tenant (OAuth only). */
  trigger?: 'anyone' | 'tenant'
}

export interface FailedRun { error: string, body: unknown }

export interface TeamsFake extends PluginFake {
  settings: { webhookUrl: string }
  /** Cards the flow posted to the channel (the attachment's content, as posted). */
  cards: Array<Record<string, unknown>>
  /** Runs that failed after the trigger answered 202 (a malformed card). Empty them to acknowledge. */
  failedRuns: FailedRun[]
  requests: FakeRequest[]
  failNext: (failure: InjectedFailure) => void
  /** The same flow's URL on the older *.logic.azure.com host. */
  logicAppsWebhookUrl: string
  /** A URL of a workflow Microsoft does not know (-> 404 WorkflowNotFound). */
  unknownWebhookUrl: string
}

/** Teams' limit on a message's size. */
const MESSAGE_MAX_BYTES = 28 * 1024
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive'

const ajv = new Ajv({ strict: false, allErrors: true, verbose: true })
ajv.addMetaSchema(draft06)
addFormats.default(ajv)
const { id, ...schema } = adaptiveCardSchema
const validateCard = ajv.compile({ ...schema, $id: id })

/** The value at a JSON pointer of ajv's instancePath. */
function at (value: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], value)
}

/**
 * The errors that matter to a person. An element is tried against every element type (anyOf), so
 * drop what the other types said: their `type` enum, their required properties, and anyOf itself.
 */
function describe (card: unknown, errors: ErrorObject[]): string {
  const relevant = errors.filter(e => {
    if (e.keyword === 'anyOf' || (e.keyword === 'enum' && e.instancePath.endsWith('/type'))) return false
    const types = (e.parentSchema as { properties?: { type?: { enum?: unknown[] } } } | undefined)?.properties?.type?.enum
    return types === undefined || types.includes((at(card, e.instancePath) as { type?: unknown } | undefined)?.type)
  })
  const shown = relevant.length > 0 ? relevant : errors
  return [...new Set(shown.map(e => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty
    return `${e.instancePath || '/'} ${e.message ?? ''}${extra === undefined ? '' : ` (${extra})`}`
  }))].slice(0, 5).join('; ')
}

/** Why the flow's "post card" action would fail on this body, or null when it posts the card. */
export function cardProblem (body: unknown): string | null {
  const message = body as { type?: unknown, attachments?: unknown } | null
  if (message?.type !== 'message' || !Array.isArray(message.attachments)) return 'the body is not a message with attachments (a card at the root is not read)'
  const [attachment] = message.attachments as Array<{ contentType?: unknown, content?: unknown }>
  if (attachment?.contentType !== ADAPTIVE_CARD) return `the first attachment is not ${ADAPTIVE_CARD}`
  if (typeof attachment.content !== 'object' || attachment.content === null) return 'the attachment has no card content'
  const { msteams: _teamsOnly, ...card } = attachment.content as Record<string, unknown>
  if (!validateCard(card)) return `the card is not a valid Adaptive Card: ${describe(card, validateCard.errors ?? [])}`
  const version = typeof card.version === 'string' ? Number(card.version) : NaN
  if (!(version >= 1.0 && version <= 1.5)) return `Teams renders cards up to version 1.5, not ${String(card.version)}`
  return null
}

const logicError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } })

export async function startFake (options: TeamsFakeOptions = {}): Promise<TeamsFake> {
  const workflow = randomBytes(16).toString('hex')
  const sig = randomBytes(24).toString('base64url')
  const cards: TeamsFake['cards'] = []
  const failedRuns: FailedRun[] = []
  const vendor = await startFakeVendor({
    errorBody: status => ({ error: ({ 429: { code: 'WorkflowRequestsThrottled', message: 'The workflow has been throttled.' } })[status] ?? { code: 'ServiceUnavailable', message: `HTTP ${status}` } })
  })
  const path = /^(?:\/powerautomate\/automations\/direct)?\/workflows\/([^/]+)\/triggers\/([^/]+)\/paths\/invoke$/

  vendor.route('POST', path, req => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return logicError(400, 'InvalidRequestContent', `The input body for trigger 'manual' of type 'Request' must be of type JSON, but was of type '${req.headers['content-type'] ?? 'application/octet-stream'}'.`)
    }
    let body: unknown
    try { body = JSON.parse(req.body) } catch { return logicError(400, 'InvalidRequestContent', 'The request content is not valid JSON.') }
    const problem = Buffer.byteLength(req.body) > MESSAGE_MAX_BYTES ? `the message is larger than ${MESSAGE_MAX_BYTES} bytes` : cardProblem(body)
    if (problem === null) cards.push((body as { attachments: Array<{ content: Record<string, unknown> }> }).attachments[0].content)
    else failedRuns.push({ error: problem, body })
    return { status: 202 }
  }, {
    // The trigger checks the workflow, its state and the caller before the body (injected failures too).
    guard: ({ captured: [id, trigger], query }) => {
      if (id !== workflow || trigger !== 'manual' || options.flow === 'deleted') return logicError(404, 'WorkflowNotFound', `The workflow '${id}' could not be found.`)
      if (options.trigger === 'tenant' || query.sig === undefined) return logicError(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by OAuth authorization scheme.')
      if (query.sig !== sig) return logicError(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is not valid.')
      if (options.flow === 'specific-users') return logicError(403, 'AuthorizationFailed', 'The caller is not allowed to trigger this workflow.')
      if (options.flow === 'off') return logicError(409, 'WorkflowTriggerIsNotEnabled', `Could not execute workflow '${workflow}' trigger 'manual' with state 'Suspended': trigger is not enabled.`)
      return null
    }
  })

  const query = (signature: string) => `?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${signature}`
  const powerPlatform = (id: string, signature: string) =>
    `https://default0123456789abcdef0123456789ab.cd.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/${id}/triggers/manual/paths/invoke${query(signature)}`
  const signature = options.rejectCredentials === true ? randomBytes(24).toString('base64url') : sig

  return {
    url: vendor.url,
    settings: { webhookUrl: powerPlatform(workflow, signature) },
    logicAppsWebhookUrl: `https://prod-27.westeurope.logic.azure.com:443/workflows/${workflow}/triggers/manual/paths/invoke${query(signature).replace('api-version=1', 'api-version=2016-06-01')}`,
    unknownWebhookUrl: powerPlatform(randomBytes(16).toString('hex'), sig),
    cards,
    failedRuns,
    requests: vendor.requests,
    failNext: vendor.failNext,
    close: async () => {
      await vendor.close()
      if (failedRuns.length > 0) throw new Error(`the Teams workflow failed ${failedRuns.length} run(s): ${failedRuns.map(r => r.error).join(' | ')}`)
    }
  }
}
