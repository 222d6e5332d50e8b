import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import { storable } from '../../../core/sdk.ts'

interface LoggedRequest {
  workspace_id: string
  token_id: string
  token_name: string
  method: string
  path: string
  resource_type: string | null
  resource_id: string | null
  status: number
  scim_type: string | null
  detail: string | null
  duration_ms: number
}

const MAX_PATH = 500
const MAX_DETAIL = 1000
/** How long the log keeps a request; older ones are deleted at most once an hour. */
export const LOG_RETENTION_DAYS = 90
const PRUNE_EVERY_MS = 3_600_000

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the resource a POST created, for the provisioning log. */
    scimResourceId?: string
  }
}

/**
 * The provisioning log: one row per SCIM request, written in batches (one INSERT per 200 ms or
 * 500 requests) so that logging every request costs next to nothing; flushed on close. Requests
 * older than LOG_RETENTION_DAYS are deleted. An entry is made storable when it is added (a NUL
 * a client sent, quoted in a path or an error, is kept as the text `\u0000`), and a batch that
 * still fails is written again in halves, down to single entries, so only an entry that cannot be
 * written at all is lost (and logged), never the requests it was batched with.
 */
export class RequestLog {
  private pending: LoggedRequest[] = []
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> = Promise.resolve()
  private prunedAt = 0

  constructor (private readonly db: Knex, private readonly log: FastifyBaseLogger, private readonly flushMs = 200, private readonly maxBatch = 500) {}

  add (entry: LoggedRequest): void {
    this.pending.push(storable(entry))
    if (this.pending.length >= this.maxBatch) this.flushInBackground()
    else this.timer ??= setTimeout(() => { this.flushInBackground() }, this.flushMs)
  }

  private flushInBackground (): void {
    this.flush().catch(err => { this.log.error({ err }, 'could not write the SCIM provisioning log') })
  }

  /** Writes what is pending; resolves when every entry added before the call is stored (or reported lost). */
  async flush (): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    this.pending = []
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return
      await this.write(batch)
      if (Date.now() - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = Date.now()
        try {
          await this.db.raw(`DELETE FROM scim_requests WHERE at < now() - make_interval(days => ${LOG_RETENTION_DAYS})`)
        } catch (err) {
          this.log.error({ err }, 'could not prune the SCIM provisioning log')
        }
      }
    })
    await this.flushing
  }

  /**
   * One INSERT for the batch; if it fails, each half again. One bad entry among n costs about
   * 2·log2(n) statements (18 for 500), and the others are all written.
   */
  private async write (entries: LoggedRequest[]): Promise<void> {
    try {
      await this.db('scim_requests').insert(entries)
    } catch (err) {
      if (entries.length === 1) {
        const { workspace_id: workspaceId, method, path, status } = entries[0]
        this.log.error({ err, entry: { workspaceId, method, path, status } }, 'could not write an entry of the SCIM provisioning log; it is lost')
        return
      }
      const half = Math.ceil(entries.length / 2)
      await this.write(entries.slice(0, half))
      await this.write(entries.slice(half))
    }
  }
}

/** Percent-decoded for reading, or as sent when its encoding is malformed (a log line must not throw). */
function decoded (text: string): string {
  try { return decodeURIComponent(text) } catch { return text }
}

/** /Users/abc?x → ['Users', 'abc'], relative to the mount point. */
function resourceOf (url: string, prefix: string): { type: string | null, id: string | null } {
  const [type, id] = url.split('?')[0].slice(prefix.length).split('/').filter(Boolean)
  return { type: type ?? null, id: id ? decoded(id) : null }
}

/** Logs every request that presented a valid token (the others name no workspace). */
export function logEveryRequest (app: FastifyInstance, log: RequestLog): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!request.scimToken) return
    const resource = resourceOf(request.url, app.prefix)
    log.add({
      workspace_id: request.scimToken.workspaceId,
      token_id: request.scimToken.id,
      token_name: request.scimToken.name,
      method: request.method,
      path: decoded(request.url.slice(app.prefix.length)).slice(0, MAX_PATH),
      resource_type: resource.type,
      resource_id: request.scimResourceId ?? resource.id,
      status: reply.statusCode,
      scim_type: request.scimError?.scimType ?? null,
      detail: request.scimError?.message.slice(0, MAX_DETAIL) ?? null,
      duration_ms: Math.round(reply.elapsedTime)
    })
  })
  app.addHook('onClose', async () => { await log.flush() })
}
