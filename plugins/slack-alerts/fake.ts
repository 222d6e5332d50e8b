// A local fake of Slack's incoming-webhook endpoint, POST /services/<team>/<bot>/<secret>, answering
// as Slack does: plain-text bodies ("ok" or an error code) with 200/400/403/404/410, 429 with
// Retry-After, 500 rollup_error. Reach it with routeToFake(fake.url): the connector keeps calling
// https://hooks.slack.com/… while the fake answers on loopback.
import { randomBytes } from 'node:crypto'
import { startFakeVendor, type FakeOptions, type FakeRequest, type InjectedFailure, type PluginFake } from '../../core/sdk/testing.ts'

export interface SlackFakeOptions extends FakeOptions {
  /** The channel behind the webhook: archived -> 410, deleted -> 404. */
  channel?: 'ok' | 'archived' | 'deleted'
}

export interface SlackFake extends PluginFake {
  settings: { webhookUrl: string }
  /** Messages Slack accepted, as posted. */
  messages: Array<Record<string, unknown>>
  /** Every request received (including refused ones). */
  requests: FakeRequest[]
  /** Answer the next valid requests with a status and body (e.g. 429 with Retry-After), or drop them. */
  failNext: (failure: InjectedFailure) => void
  /** A URL whose team and bot Slack does not know (-> 404 no_service). */
  unknownWebhookUrl: string
}

const TEAM = 'T0STOCKTAKE'
const BOT = 'B0ALERTS01'
const text = (status: number, body: string) => ({ status, body })

/** The payload as Slack reads it: a JSON body, or a form with a `payload` field. */
function parsePayload (req: FakeRequest): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(req.form?.payload ?? req.body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

/** The Block Kit rules this fake enforces (the ones Slack refuses most often). */
function blocksValid (blocks: unknown): boolean {
  if (blocks === undefined) return true
  if (!Array.isArray(blocks) || blocks.length > 50) return false
  return blocks.every((block: { type?: string, text?: { type?: string, text?: string } }) => {
    if (block.type === 'header') return block.text?.type === 'plain_text' && (block.text.text ?? '').length > 0 && (block.text.text ?? '').length <= 150
    if (block.type === 'section') return typeof block.text?.text === 'string' && block.text.text.length > 0 && block.text.text.length <= 3000
    return ['actions', 'context', 'divider', 'image', 'rich_text'].includes(block.type ?? '')
  })
}

export async function startFake (options: SlackFakeOptions = {}): Promise<SlackFake> {
  const secret = randomBytes(12).toString('hex')
  const messages: SlackFake['messages'] = []
  const vendor = await startFakeVendor({ textType: 'text/html', errorBody: status => ({ 404: 'no_service', 405: 'invalid_method', 429: 'rate_limited' })[status] ?? 'rollup_error' })
  const webhook = /^\/services\/([^/]*)\/([^/]*)\/([^/]*)$/
  vendor.route('POST', webhook, req => {
    const payload = parsePayload(req)
    if (options.channel === 'archived') return text(410, 'channel_is_archived')
    if (options.channel === 'deleted') return text(404, 'channel_not_found')
    if (payload === null) return text(400, 'invalid_payload')
    if (typeof payload.text !== 'string' && payload.blocks === undefined) return text(400, 'no_text')
    if (!blocksValid(payload.blocks)) return text(400, 'invalid_blocks')
    messages.push(payload)
    return text(200, 'ok')
  }, {
    // An unknown team or bot, or a revoked secret, is refused before anything else (injected failures too).
    guard: ({ captured: [team, bot, key] }) => team !== TEAM || bot !== BOT ? text(404, 'no_service') : key !== secret ? text(403, 'invalid_token') : null
  })
  const base = 'https://hooks.slack.com/services'

  return {
    url: vendor.url,
    settings: { webhookUrl: `${base}/${TEAM}/${BOT}/${options.rejectCredentials === true ? 'revoked0000000000000000' : secret}` },
    unknownWebhookUrl: `${base}/T0UNKNOWN/B0UNKNOWN/${secret}`,
    messages,
    requests: vendor.requests,
    failNext: vendor.failNext,
    close: vendor.close
  }
}
