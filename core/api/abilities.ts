/** What an API token may do, as the product document lists them. A token with none may do everything. */
export const ABILITIES = ['hardware:read', 'hardware:write', 'users:read', 'users:write', 'software:read', 'software:write', 'webhooks:manage'] as const
export type Ability = typeof ABILITIES[number]

export const ABILITY_LABELS: Record<Ability, string> = {
  'hardware:read': 'Read hardware and asset requests',
  'hardware:write': 'Change hardware and asset requests',
  'users:read': 'Read people',
  'users:write': 'Change people',
  'software:read': 'Read software and seats',
  'software:write': 'Change software and seats',
  'webhooks:manage': 'Manage webhook subscriptions and see their deliveries'
}

/**
 * Reading the audit log shows changes to every kind of record, so it needs every read ability
 * (a token with no abilities has them all).
 */
export const AUDIT_ABILITIES: readonly Ability[] = ['hardware:read', 'users:read', 'software:read']

/** The abilities in `needed` that a token holding `granted` lacks; an empty grant means all. */
export function missingAbilities (granted: readonly string[], needed: readonly Ability[]): Ability[] {
  if (granted.length === 0) return []
  return needed.filter(a => !granted.includes(a))
}
