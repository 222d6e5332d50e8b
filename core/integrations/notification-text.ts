import type { StoredEvent } from '../events/index.ts'
import type { Notification } from '../sdk/contract.ts'

type Payload = Record<string, unknown>
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
const device = (p: Payload) => `${str(p.name)}${p.asset_tag ? ` (${str(p.asset_tag)})` : ''}`

const TITLES: Record<StoredEvent['type'], (p: Payload) => string> = {
  'hardware.created': p => `New hardware: ${device(p)}`,
  'hardware.updated': p => `Hardware updated: ${device(p)}`,
  'hardware.assigned': p => `${device(p)} was assigned`,
  'hardware.recovered': p => `${device(p)} was recovered`,
  'asset_request.created': p => `New asset request: ${str(p.category)}`,
  'asset_request.approved': p => `Asset request approved: ${str(p.category)}`,
  'asset_request.rejected': p => `Asset request rejected: ${str(p.category)}`,
  'asset_request.fulfilled': p => `Asset request fulfilled: ${str(p.category)}`,
  'asset_request.withdrawn': p => `Asset request withdrawn by the requester: ${str(p.category)}`,
  'software.assigned': () => 'A software seat was assigned',
  'software.revoked': () => 'A software seat was revoked',
  'user.offboarded': p => `${str(p.email)} was offboarded`
}

/** The human text of an event, as chat and email notifications show it. */
export function describeEvent (event: StoredEvent, workspaceUrl: string): Notification {
  const p = event.payload
  const changed = p.changes && typeof p.changes === 'object' ? Object.keys(p.changes as object) : []
  const details = [
    p.description ? `"${str(p.description)}"` : '',
    p.rejection_reason ? `Reason: ${str(p.rejection_reason)}.` : '',
    changed.length > 0 ? `Changed: ${changed.join(', ')}.` : '',
    Array.isArray(p.hardware) ? `Still holds ${p.hardware.length} hardware item(s) and ${Array.isArray(p.seats) ? p.seats.length : 0} seat(s).` : ''
  ].filter(Boolean)
  return {
    event: event.type,
    title: TITLES[event.type](p),
    text: details.join(' ') || TITLES[event.type](p),
    url: workspaceUrl,
    record: p
  }
}
