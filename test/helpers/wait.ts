import type { Knex } from 'knex'
import type { TestSession } from './session.ts'

/** Polls `probe` every 100 ms until it returns something truthy, and returns that. */
export async function until<T> (probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() - started > timeoutMs) throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** Follows an integration run's htmx polling (its hx-get) until the fragment stops polling; returns the last fragment. */
export async function pollRun (session: TestSession, html: string, pluginId: string): Promise<string> {
  const pattern = new RegExp(`hx-get="(/settings/integrations/${pluginId}/runs/[^"]+)"`)
  const started = Date.now()
  for (;;) {
    const url = pattern.exec(html)?.[1]
    if (url === undefined) return html
    if (Date.now() - started > 45_000) throw new Error('the run did not finish')
    await new Promise(resolve => setTimeout(resolve, 150))
    const res = await session.get(url, { 'hx-request': 'true' })
    if (res.statusCode !== 200) throw new Error(`poll failed: ${res.statusCode}`)
    html = res.body
  }
}

/** Brings a waiting run's retry time to now, as if its Retry-After had passed (a test does not wait minutes). */
export async function retryDueNow (db: Knex, workspaceId: string, runId: string): Promise<void> {
  await db('integration_runs').where({ workspace_id: workspaceId, id: runId, status: 'retry_scheduled' }).update({ retry_at: db.fn.now() })
}
