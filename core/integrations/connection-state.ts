// Whether a connector works, as its card and Bulk import say it: "Connected" only when its settings
// are saved and enabled and its last test or run succeeded; "Needs attention" with the reason after
// a failed test or run (or while a run waits to retry), until a later test or run succeeds.
import type { Knex } from 'knex'
import type { DiscoveredPlugin } from './discovery.ts'
import type { IntegrationRow } from './settings.ts'

export type ConnectionState =
  | { kind: 'not-connected' }
  /** Saved and enabled; no test or run has succeeded yet. */
  | { kind: 'not-tested' }
  | { kind: 'connected' }
  | { kind: 'needs-attention', reason: string }

/** The integration's columns after a test or run: a failure needs attention with its reason, a success clears it. */
export function connectionColumns (db: Knex | Knex.Transaction, ok: boolean, reason: string) {
  return ok
    ? { needs_attention: false, attention_reason: null, last_ok_at: db.fn.now() }
    : { needs_attention: true, attention_reason: reason }
}

/** `awaitingConsent`: the plugin signs in with an admin's consent and none is stored (never given, refused, or disconnected). */
export function connectionState (plugin: DiscoveredPlugin, row: IntegrationRow | undefined, options: { awaitingConsent?: boolean } = {}): ConnectionState {
  if (!row?.enabled || plugin.manifest.status === 'coming-soon') return { kind: 'not-connected' }
  if (row.needs_attention) return { kind: 'needs-attention', reason: row.attention_reason ?? 'The last test or run failed.' }
  if (options.awaitingConsent === true) return { kind: 'not-connected' }
  // A plugin that can neither test nor run (nothing to check) is connected once saved and enabled.
  const checkable = plugin.connector?.test !== undefined || plugin.connector?.sync !== undefined
  return !checkable || row.last_ok_at !== null ? { kind: 'connected' } : { kind: 'not-tested' }
}
