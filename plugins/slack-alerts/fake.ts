// A local fake of Slack's incoming-webhook endpoint, POST /services/<team>/<bot>/<secret>, answering
// as Slack does: plain-text bodies ("ok" or an error code) with 200/400/403/404/410, 429 with
// Retry-After, 500 rollup_error. Reach it with routeToFake(fake.url): the connector keeps calling
// https://hooks.slack.com/… while the fake answers on loopback.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeOptions, PluginFake } from '../../core/sdk.ts'

export interface SlackFakeOptions extends FakeOptions {
  /** The channel behind the webhook: archived -> 410, deleted -> 404. */
  channel?: 'ok' | 'archived' | 'deleted'
}

export interface SlackFake extends PluginFake {
  settings: { webhookUrl: string }
  /** Messages Slack accepted, as posted. */
  messages: Array<Record<string, unknown>>
  /** Every request received (including refused ones). */
  requests: Array<{ host: string | undefined, path: string, contentType: string | undefined }>
  /** Answer the next `times` valid requests with this status and body (e.g. 429 with Retry-After). */
  failNext: (status: number, body: string, headers?: Record<string, string>, times?: number) => void
  /** A URL whose team and bot Slack does not know (-> 404 no_service). */
  unknownWebhookUrl: string
}

const TEAM = 'T0STOCKTAKE'
const BOT = 'B0ALERTS01'

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The payload as Slack reads it: a JSON body, or a form with a `payload` field. */
function parsePayload (contentType: string | undefined, body: string): Record<string, unknown> | null {
  try {
    const json = (contentType ?? '').startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body).get('payload') ?? ''
      : body
    const value: unknown = JSON.parse(json)
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
  const requests: SlackFake['requests'] = []
  const failures: Array<{ status: number, body: string, headers: Record<string, string> }> = []

  const answer = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    requests.push({ host: req.headers.host, path, contentType: req.headers['content-type'] })
    const [, services, team, bot, key] = path.split('/')
    if (req.method !== 'POST') return answer(res, 405, 'invalid_method')
    if (services !== 'services' || team !== TEAM || bot !== BOT) return answer(res, 404, 'no_service')
    if (key !== secret) return answer(res, 403, 'invalid_token')
    const failure = failures.shift()
    if (failure !== undefined) return answer(res, failure.status, failure.body, failure.headers)
    if (options.channel === 'archived') return answer(res, 410, 'channel_is_archived')
    if (options.channel === 'deleted') return answer(res, 404, 'channel_not_found')
    const payload = parsePayload(req.headers['content-type'], body)
    if (payload === null) return answer(res, 400, 'invalid_payload')
    if (typeof payload.text !== 'string' && payload.blocks === undefined) return answer(res, 400, 'no_text')
    if (!blocksValid(payload.blocks)) return answer(res, 400, 'invalid_blocks')
    messages.push(payload)
    answer(res, 200, 'ok')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, 'rollup_error'))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const base = 'https://hooks.slack.com/services'

  return {
    url: `http://127.0.0.1:${port}`,
    settings: { webhookUrl: `${base}/${TEAM}/${BOT}/${options.rejectCredentials === true ? 'revoked0000000000000000' : secret}` },
    unknownWebhookUrl: `${base}/T0UNKNOWN/B0UNKNOWN/${secret}`,
    messages,
    requests,
    failNext (status, body, headers = {}, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, body, headers })
    },
    async close () {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
