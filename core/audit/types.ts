/** Who can act. `scim`: an identity provider over SCIM, with a token the core issued (core/api/tokens.ts). */
export const ACTOR_TYPES = ['user', 'token', 'system', 'plugin', 'scim'] as const
export type ActorType = typeof ACTOR_TYPES[number]
export const SCIM_ACTOR: ActorType = 'scim'

/** Who did something: recorded on every audit entry. */
export interface Actor {
  type: ActorType
  id?: string | null
  label: string
  requestId?: string | null
}

export type Changes = Record<string, { old: unknown, new: unknown }>

export interface AuditEntry {
  action: string
  target?: { type: string, id?: string | null, label?: string | null }
  outcome?: 'success' | 'failure' | 'denied'
  changes?: Changes | null
  details?: Record<string, unknown> | null
}

export interface AuditRow {
  id: number
  occurred_at: Date
  actor_type: ActorType
  actor_id: string | null
  actor_label: string
  action: string
  target_type: string | null
  target_id: string | null
  target_label: string | null
  outcome: 'success' | 'failure' | 'denied'
  changes: Changes | null
  details: Record<string, unknown> | null
  request_id: string | null
}

export interface AuditFilters {
  actor?: string
  action?: string
  target?: string
  from?: string
  to?: string
}

export const systemActor: Actor = { type: 'system', id: null, label: 'Stocktake' }
