import type { Knex } from 'knex'
import { request, type Dispatcher } from 'undici'
import type { Jobs } from '../jobs/index.ts'
import type { SecretBox } from '../secrets/index.ts'
import { privateAddressCause, refusedLiteral, type PrivateAddressError } from '../net/address-guard.ts'
import { signatureHeaders } from './signing.ts'
import { eachAtMost } from '../jobs/index.ts'
import { DELIVER_JOB, PING_EVENT, type DeliverJob, type DeliveryTuning } from './types.ts'

const EXCERPT_BYTES = 1024
// A claim outlives the attempt's timeout, so a worker that died mid-attempt frees the delivery; it
// names its process too, so that once the process is found gone it is freed at once (releaseClaims).
const CLAIM_MARGIN_MS = 30_000

interface Outcome { ok: boolean, statusCode: number | null, error: string | null, durationMs: number, excerpt: string | null }

interface Claimed {
  workspace_id: string
  id: string
  subscription_id: string
  event_id: string
  event_type: string
  attempts: number
  ordering_key: string | null
  event_sequence: string | null
  delivery_created_at: Date
  data: unknown
  event_created_at: Date | null
  url: string
  secret_ciphertext: string
  active: boolean
  failing_since: Date | null
  slug: string
  name: string
}

/** Why a webhook is not sent to an address, and what the operator can do about it. */
export function refusedWebhookMessage (refused: PrivateAddressError): string {
  return `${refused.message}: webhooks are sent only to public addresses (an operator can allow others with STOCKTAKE_WEBHOOK_ALLOW_PRIVATE=1)`
}

/** The first KiB of a response body, cut on a character boundary. */
function excerpt (text: string): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= EXCERPT_BYTES) return text
  return bytes.subarray(0, EXCERPT_BYTES).toString('utf8').replace(/\uFFFD+$/, '')
}

/** The (workspace, delivery) pairs of some jobs, as two arrays for unnest. */
function pairs (jobs: DeliverJob[]): [string[], string[]] {
  return [jobs.map(j => j.workspaceId), jobs.map(j => j.deliveryId)]
}

const TARGETS = 'SELECT * FROM unnest(?::uuid[], ?::uuid[]) AS t(workspace_id, id)'

/**
 * Serialises the deliveries of one subscription and record: claiming one and finishing an earlier
 * one exclude each other. Locks are taken in a fixed order, so two batches never deadlock.
 */
async function lockOrder (trx: Knex.Transaction, jobs: DeliverJob[]): Promise<void> {
  await trx.raw(`
    SELECT pg_advisory_xact_lock(k) FROM (
      SELECT DISTINCT hashtext(d.subscription_id::text || '/' || d.ordering_key) AS k
      FROM webhook_deliveries d JOIN (${TARGETS}) t USING (workspace_id, id)
      WHERE d.ordering_key IS NOT NULL ORDER BY k
    ) keys`, pairs(jobs))
}

/**
 * One attempt of one delivery and its bookkeeping. Deliveries of one record to one subscription
 * go out in event order: a delivery waits (its job ends) while an earlier one is pending, and the
 * earlier one, once it succeeds or gives up, queues the next. An advisory lock per subscription
 * and record makes "wait" and "queue the next" exclude each other, so none is left waiting.
 */
export class Deliverer {
  constructor (
    private readonly db: Knex,
    private readonly jobs: Jobs,
    private readonly secrets: SecretBox,
    private readonly agent: Dispatcher,
    private readonly tuning: DeliveryTuning
  ) {}

  /** One attempt of each delivery that is pending, unclaimed and first of its record; then their bookkeeping in one go. */
  async deliver (jobs: DeliverJob[]): Promise<void> {
    const claimed = await this.claim(jobs)
    const sendable = claimed.filter(row => row.active || row.event_type === PING_EVENT)
    await this.failSwitchedOff(claimed.filter(row => !sendable.includes(row)))
    const outcomes = new Map<Claimed, Outcome>()
    await eachAtMost(this.tuning.concurrency, sendable, async row => { outcomes.set(row, await this.send(row)) })
    if (outcomes.size > 0) await this.record(outcomes)
  }

  private async send (row: Claimed): Promise<Outcome> {
    const body = JSON.stringify({
      id: row.event_id,
      type: row.event_type,
      created_at: new Date(row.event_created_at ?? row.delivery_created_at).toISOString(),
      workspace: { id: row.workspace_id, slug: row.slug, name: row.name },
      data: row.data ?? {}
    })
    const secret = await this.secrets.decrypt(row.workspace_id, row.secret_ciphertext)
    return await this.post(row.url, body, signatureHeaders(secret, row.event_id, body))
  }

  /** Claims, in one statement, the deliveries that may go now, with what it takes to send them. */
  private async claim (jobs: DeliverJob[]): Promise<Claimed[]> {
    return await this.db.transaction(async trx => {
      await lockOrder(trx, jobs)
      const { rows } = await trx.raw<{ rows: Claimed[] }>(`
        WITH claimed AS (
          UPDATE webhook_deliveries d SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?
          FROM (${TARGETS}) t
          WHERE d.workspace_id = t.workspace_id AND d.id = t.id AND d.status = 'pending'
            AND (d.claimed_until IS NULL OR d.claimed_until < now())
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.subscription_id = d.subscription_id AND p.ordering_key = d.ordering_key
                AND p.status = 'pending' AND p.event_sequence < d.event_sequence)
          RETURNING d.*
        )
        SELECT d.workspace_id, d.id, d.subscription_id, d.event_id, d.event_type, d.attempts, d.ordering_key, d.event_sequence,
          d.created_at AS delivery_created_at, coalesce(d.payload, e.payload) AS data, e.created_at AS event_created_at,
          s.url, s.secret_ciphertext, s.active, s.failing_since, w.slug, w.name
        FROM claimed d
        JOIN webhook_subscriptions s ON s.workspace_id = d.workspace_id AND s.id = d.subscription_id
        JOIN workspaces w ON w.id = d.workspace_id
        LEFT JOIN events e ON e.workspace_id = d.workspace_id AND e.id = d.event_id
        ORDER BY d.event_sequence NULLS LAST`,
      [(this.tuning.timeoutMs + CLAIM_MARGIN_MS) / 1000, this.jobs.workerId, ...pairs(jobs)])
      return rows
    })
  }

  /** A switched-off subscription sends nothing more: everything it still owes fails at once. */
  private async failSwitchedOff (rows: Claimed[]): Promise<void> {
    const subscriptions = new Map(rows.map(r => [r.subscription_id, r.workspace_id]))
    for (const [subscriptionId, workspaceId] of subscriptions) {
      await this.db('webhook_deliveries').where({ workspace_id: workspaceId, subscription_id: subscriptionId, status: 'pending' })
        .whereNot('event_type', PING_EVENT)
        .update({ status: 'failed', last_error: 'The subscription is disabled.', next_attempt_at: null, claimed_until: null, claimed_by: null })
    }
  }

  private async post (url: string, body: string, signatures: Record<string, string>): Promise<Outcome> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    try {
      const refused = this.tuning.allowPrivate ? null : refusedLiteral(new URL(url))
      if (refused) throw refused
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'Stocktake-Webhooks/1', ...signatures },
        body,
        signal: AbortSignal.timeout(this.tuning.timeoutMs),
        maxRedirections: 0
      } as Parameters<typeof request>[1])
      const text = await res.body.text()
      const ok = res.statusCode >= 200 && res.statusCode < 300
      return { ok, statusCode: res.statusCode, error: ok ? null : `HTTP ${res.statusCode}`, durationMs: elapsed(), excerpt: excerpt(text) }
    } catch (err) {
      const e = err as Error & { code?: string, cause?: Error & { code?: string } }
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError'
      const refused = privateAddressCause(err)
      const message = timedOut
        ? `No answer within ${this.tuning.timeoutMs / 1000} s`
        : refused ? refusedWebhookMessage(refused) : (e.cause?.message ?? e.message)
      return { ok: false, statusCode: null, error: message.slice(0, 500), durationMs: elapsed(), excerpt: null }
    }
  }

  /**
   * The attempts' outcomes in one UPDATE; then each retry is queued, and each delivery that is
   * done (delivered or given up) queues the next pending one of its record.
   */
  private async record (outcomes: Map<Claimed, Outcome>): Promise<void> {
    const now = Date.now()
    const results = [...outcomes].map(([row, outcome]) => {
      const attempts = row.attempts + 1
      const retry = !outcome.ok && attempts < this.tuning.maxAttempts
      return {
        row,
        outcome,
        workspace_id: row.workspace_id,
        id: row.id,
        attempts,
        status: outcome.ok ? 'succeeded' : retry ? 'pending' : 'failed',
        next_attempt_at: retry ? new Date(now + this.tuning.retryBaseMs * 2 ** (attempts - 1)).toISOString() : null,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        duration_ms: outcome.durationMs,
        response_excerpt: outcome.excerpt
      }
    })
    const jobs = results.map(r => ({ workspaceId: r.workspace_id, deliveryId: r.id }))
    await this.db.transaction(async trx => {
      await lockOrder(trx, jobs)
      await trx.raw(`
        UPDATE webhook_deliveries d SET attempts = r.attempts, status = r.status, next_attempt_at = r.next_attempt_at,
          last_status_code = r.last_status_code, last_error = r.last_error, duration_ms = r.duration_ms,
          response_excerpt = r.response_excerpt, claimed_until = NULL, claimed_by = NULL,
          delivered_at = CASE WHEN r.status = 'succeeded' THEN now() END
        FROM jsonb_to_recordset(?::jsonb) AS r(workspace_id uuid, id uuid, attempts int, status text, next_attempt_at timestamptz,
          last_status_code int, last_error text, duration_ms int, response_excerpt text)
        WHERE d.workspace_id = r.workspace_id AND d.id = r.id`,
      [JSON.stringify(results.map(({ row: _row, outcome: _outcome, ...columns }) => columns))])
      for (const r of results.filter(r => r.next_attempt_at !== null)) {
        await this.jobs.sendMany(DELIVER_JOB, [{ workspaceId: r.workspace_id, deliveryId: r.id }], { trx, startAfter: new Date(r.next_attempt_at!) })
      }
      const finished = results.filter(r => r.next_attempt_at === null && r.row.ordering_key !== null)
      if (finished.length > 0) {
        const { rows: next } = await trx.raw<{ rows: Array<{ workspace_id: string, id: string }> }>(`
          SELECT DISTINCT ON (n.subscription_id, n.ordering_key) n.workspace_id, n.id
          FROM jsonb_to_recordset(?::jsonb) AS f(subscription_id uuid, ordering_key text, event_sequence bigint)
          JOIN webhook_deliveries n ON n.subscription_id = f.subscription_id AND n.ordering_key = f.ordering_key
            AND n.status = 'pending' AND n.event_sequence > f.event_sequence
          ORDER BY n.subscription_id, n.ordering_key, n.event_sequence`,
        [JSON.stringify(finished.map(r => ({ subscription_id: r.row.subscription_id, ordering_key: r.row.ordering_key, event_sequence: r.row.event_sequence })))])
        await this.jobs.sendMany(DELIVER_JOB, next.map(n => ({ workspaceId: n.workspace_id, deliveryId: n.id })), { trx })
      }
    })
    await this.trackFailing(results.map(r => ({ row: r.row, outcome: r.outcome })))
  }

  /**
   * A failing run of a subscription starts at its first failure and ends at a success; once it has
   * lasted too long, the subscription is switched off.
   */
  private async trackFailing (results: Array<{ row: Claimed, outcome: Outcome }>): Promise<void> {
    const bySubscription = new Map<string, { row: Claimed, ok: boolean, error: string | null }>()
    for (const { row, outcome } of results) {
      const seen = bySubscription.get(row.subscription_id)
      // One success in the batch ends the run; otherwise the last failure is the reason given.
      if (!seen?.ok) bySubscription.set(row.subscription_id, { row, ok: outcome.ok, error: outcome.error })
    }
    for (const { row, ok, error } of bySubscription.values()) {
      const subscription = this.db('webhook_subscriptions').where({ workspace_id: row.workspace_id, id: row.subscription_id })
      if (ok) {
        if (row.failing_since !== null) await subscription.clone().whereNotNull('failing_since').update({ failing_since: null })
        continue
      }
      await subscription.clone().whereNull('failing_since').update({ failing_since: this.db.fn.now() })
      await subscription.clone().where('active', true).where('failing_since', '<=', new Date(Date.now() - this.tuning.disableAfterMs)).update({
        active: false,
        updated_at: this.db.fn.now(),
        disabled_reason: `Switched off after failing for ${Math.round(this.tuning.disableAfterMs / 3600_000)} hours without a success (last: ${error ?? 'error'}).`
      })
    }
  }
}

/** Recovery (core/jobs/workers.ts): the claims of processes found gone are released with their jobs handed back. */
export async function releaseClaims (trx: Knex.Transaction, gone: string[]): Promise<void> {
  if (gone.length === 0) return
  await trx('webhook_deliveries').whereIn('claimed_by', gone).where('status', 'pending').update({ claimed_until: null, claimed_by: null })
}
