import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** What a form minted and its page shows once: what it is (a token's name, a webhook's URL) and the secret. */
export interface Reveal { label: string, secret: string }

/** How long a minted secret waits for the page it redirects to. */
const REVEAL_MINUTES = 10

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Keeps a secret a form has just minted for the next page this session opens with `takeReveals`
     * (the redirect after POST), so a refresh neither mints another nor shows it again.
     */
    revealOnce: (kind: string, reveal: Reveal) => Promise<void>
  }
  interface FastifyRequest {
    /** The secrets of these kinds waiting for this session, oldest first, by kind; deleted as they are read. */
    takeReveals: (kinds: readonly string[]) => Promise<Record<string, Reveal[]>>
  }
}

/** Reveals as a page lists them, each with the id of its copy field: `new-token`, then `new-token-2`… */
export function revealViews (reveals: Reveal[], idPrefix: string) {
  return reveals.map((r, i) => ({ ...r, fieldId: i === 0 ? idPrefix : `${idPrefix}-${i + 1}` }))
}

/**
 * One-time reveals (table one_time_reveals): the secret travels through the database, encrypted
 * with the workspace's data key and bound to the session, never in a URL or a cookie; the GET that
 * shows it deletes it in the same statement, so a second GET, another session or a replayed
 * cookie finds nothing. Kept 10 minutes at most; a session's go with it.
 */
export default fp(async (app) => {
  app.decorateReply('revealOnce', async function (this: FastifyReply, kind: string, reveal: Reveal) {
    const { workspace, sessionId } = this.request
    if (!sessionId) throw new Error('a one-time reveal needs a session')
    const sealed = await app.secrets.encrypt(workspace.id, JSON.stringify(reveal))
    await app.db.raw(`
      WITH pruned AS (DELETE FROM one_time_reveals WHERE workspace_id = ? AND expires_at <= now())
      INSERT INTO one_time_reveals (workspace_id, session_id, kind, sealed, expires_at)
      VALUES (?, ?, ?, ?, now() + make_interval(mins => ?))`,
    [workspace.id, workspace.id, sessionId, kind, sealed, REVEAL_MINUTES])
    this.header('cache-control', 'no-store')
  })

  app.decorateRequest('takeReveals', async function (this: FastifyRequest, kinds: readonly string[]) {
    const taken: Record<string, Reveal[]> = Object.fromEntries(kinds.map(kind => [kind, []]))
    if (!this.sessionId) return taken
    const { rows } = await app.db.raw<{ rows: Array<{ kind: string, sealed: string }> }>(`
      WITH taken AS (
        DELETE FROM one_time_reveals WHERE workspace_id = ? AND session_id = ? AND kind = ANY(?)
        RETURNING kind, sealed, created_at, expires_at > now() AS fresh
      )
      SELECT kind, sealed FROM taken WHERE fresh ORDER BY created_at`,
    [this.workspace.id, this.sessionId, [...kinds]])
    for (const row of rows) taken[row.kind].push(JSON.parse(await app.secrets.decrypt(this.workspace.id, row.sealed)) as Reveal)
    return taken
  })
}, { name: 'reveal-once', dependencies: ['session'] })
