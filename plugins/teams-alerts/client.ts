// Posting to a Teams Workflows webhook trigger through ctx.http, and reading its answers: 202 with an
// empty body when the flow accepted the message, or a Logic Apps error body
// {"error":{"code","message"}} with a 4xx status. The webhook URL carries its signature (sig=), a
// credential, so no message built here ever contains it.
import {
  ConnectorError, HttpStatusError, RequestTimeoutError, failureReason,
  type ConnectorContext, type FailureReason
} from '../../core/sdk.ts'

export interface TeamsSettings extends Record<string, unknown> {
  webhookUrl: string
  events?: string[]
}

/** What a Workflows "When a Teams webhook request is received" trigger takes: a message with one Adaptive Card. */
export interface TeamsMessage {
  type: 'message'
  attachments: Array<{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: Record<string, unknown> }>
}

const newUrl = 'Copy the HTTP POST URL from the workflow\'s trigger again and paste it here.'

/** The trigger's error codes (Logic Apps / Power Automate request triggers) that need their own words. */
const CODES: Record<string, { reason: FailureReason, message: string }> = {
  WorkflowTriggerIsNotEnabled: { reason: 'config', message: 'The Teams workflow is turned off (WorkflowTriggerIsNotEnabled). Turn it on in Teams → Workflows, or ask who suspended it.' },
  DirectApiAuthorizationRequired: { reason: 'auth', message: 'The Teams workflow accepts only signed-in users (DirectApiAuthorizationRequired). Set "Who can trigger the flow" to Anyone, then copy its new URL and paste it here.' },
  DirectApiInvalidAuthorizationSignature: { reason: 'auth', message: `Microsoft refused the webhook URL's signature (DirectApiInvalidAuthorizationSignature): it was mistyped or the trigger was recreated. ${newUrl}` },
  WorkflowNotFound: { reason: 'config', message: 'Microsoft does not know this workflow (WorkflowNotFound): it was deleted. Create a Teams workflow "Post to a channel when a webhook request is received" and paste its URL here.' }
}

/** What each status means when the code is not one of CODES. */
const STATUSES: Record<number, { reason: FailureReason, message: string }> = {
  400: { reason: 'config', message: 'Microsoft could not read the message Stocktake sent' },
  401: { reason: 'auth', message: `Microsoft refused the webhook URL. ${newUrl}` },
  403: { reason: 'permission', message: 'Microsoft refused the post: the workflow lets only specific people trigger it, or a policy of your organisation blocks it' },
  404: { reason: 'config', message: 'Microsoft does not know this workflow: it was deleted or its URL mistyped' }
}

/** Statuses at which the trigger answers with an error body rather than being retried (5xx and 429 are retried by ctx.http). */
const ANSWER_STATUSES = [200, 202, 400, 401, 403, 404, 409]

function errorCode (body: unknown): string | undefined {
  let value = body
  if (typeof value === 'string') {
    try { value = JSON.parse(value) } catch { return undefined }
  }
  const code = (value as { error?: { code?: unknown } } | null)?.error?.code
  return typeof code === 'string' && /^[A-Za-z]{1,80}$/.test(code) ? code : undefined
}

/** Posts one message; throws ConnectorError with the reason the trigger's answer means. */
export async function postToWorkflow (ctx: ConnectorContext<TeamsSettings>, message: TeamsMessage): Promise<void> {
  let status: number
  let body: unknown
  try {
    const res = await ctx.http.request<unknown>({ method: 'POST', url: ctx.settings.webhookUrl, json: message, expect: ANSWER_STATUSES })
    status = res.status
    body = res.body
  } catch (err) {
    // HttpStatusError and RequestTimeoutError name the URL, whose query holds the signature.
    if (err instanceof HttpStatusError) throw new ConnectorError(failureReason(err), `Microsoft answered HTTP ${err.status} after retries.`)
    if (err instanceof RequestTimeoutError) throw new ConnectorError('network', 'Microsoft did not answer in time.')
    throw err
  }
  if (status === 200 || status === 202) return
  const code = errorCode(body)
  const known = code === undefined ? undefined : CODES[code]
  if (known !== undefined) throw new ConnectorError(known.reason, known.message)
  const meaning = STATUSES[status] ?? { reason: 'config', message: 'Microsoft refused the post' }
  throw new ConnectorError(meaning.reason, `${meaning.message} (HTTP ${status}${code === undefined ? '' : ` ${code}`}).`)
}
