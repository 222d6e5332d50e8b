// Posting to a Slack incoming webhook through ctx.http, and reading Slack's answers: a plain-text
// body ("ok", or an error code) with an HTTP status. The webhook URL is a credential, so no
// message built here ever contains it (nor its path).
import {
  ConnectorError, HttpStatusError, RequestTimeoutError, failureReason,
  type ConnectorContext, type FailureReason
} from '../../core/sdk.ts'

export interface SlackSettings extends Record<string, unknown> {
  webhookUrl: string
  events?: string[]
}

export interface SlackMessage { text: string, blocks?: object[] }

const revoked = 'Create a new incoming webhook in Slack and paste its URL here.'

/** Slack's error codes (api.slack.com/messaging/webhooks#handling_errors and the 2016 changelog). */
const ANSWERS: Record<string, { reason: FailureReason, message: string }> = {
  invalid_token: { reason: 'auth', message: `Slack refused the webhook URL (invalid_token): it was revoked or mistyped. ${revoked}` },
  no_service: { reason: 'auth', message: `Slack does not know this webhook (no_service): it was removed or its app uninstalled. ${revoked}` },
  no_service_id: { reason: 'auth', message: `The webhook URL is incomplete (no_service_id). ${revoked}` },
  no_team: { reason: 'auth', message: `Slack does not know the workspace of this webhook (no_team). ${revoked}` },
  team_disabled: { reason: 'auth', message: 'The Slack workspace of this webhook is disabled (team_disabled).' },
  action_prohibited: { reason: 'permission', message: 'A Slack admin restricts posting from this webhook (action_prohibited).' },
  posting_to_general_channel_denied: { reason: 'permission', message: 'Only Slack admins may post to this channel (posting_to_general_channel_denied).' },
  channel_not_found: { reason: 'config', message: 'The webhook\'s channel no longer exists (channel_not_found). Create a webhook for another channel.' },
  channel_is_archived: { reason: 'config', message: 'The webhook\'s channel is archived (channel_is_archived). Unarchive it or create a webhook for another channel.' },
  user_not_found: { reason: 'config', message: 'The webhook\'s direct-message recipient no longer exists (user_not_found).' },
  invalid_payload: { reason: 'config', message: 'Slack could not read the message Stocktake sent (invalid_payload).' },
  invalid_blocks: { reason: 'config', message: 'Slack refused the message layout Stocktake sent (invalid_blocks).' },
  no_text: { reason: 'config', message: 'Slack refused a message without text (no_text).' }
}

/** Statuses at which Slack answers with an error code rather than failing (5xx and 429 are retried by ctx.http). */
const ANSWER_STATUSES = [200, 400, 403, 404, 410]

/** Posts one message; throws ConnectorError with the reason Slack's answer means. */
export async function postToWebhook (ctx: ConnectorContext<SlackSettings>, message: SlackMessage): Promise<void> {
  let status: number
  let body: string
  try {
    const res = await ctx.http.request<unknown>({ method: 'POST', url: ctx.settings.webhookUrl, json: message, expect: ANSWER_STATUSES })
    status = res.status
    body = typeof res.body === 'string' ? res.body.trim() : JSON.stringify(res.body)
  } catch (err) {
    // HttpStatusError and RequestTimeoutError name the URL's path, which is the secret part.
    if (err instanceof HttpStatusError) throw new ConnectorError(failureReason(err), `Slack answered HTTP ${err.status} after retries.`)
    if (err instanceof RequestTimeoutError) throw new ConnectorError('network', 'Slack did not answer in time.')
    throw err
  }
  if (status === 200 && body === 'ok') return
  const known = ANSWERS[body]
  if (known !== undefined) throw new ConnectorError(known.reason, known.message)
  throw new ConnectorError(status === 403 ? 'permission' : 'config', `Slack answered HTTP ${status}: ${body.slice(0, 120)}`)
}
