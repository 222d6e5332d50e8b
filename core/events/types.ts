/** Event names exactly as the product documents list them. */
export const EVENT_TYPES = [
  'hardware.created', 'hardware.updated', 'hardware.assigned', 'hardware.recovered',
  'asset_request.created', 'asset_request.approved', 'asset_request.rejected', 'asset_request.fulfilled', 'asset_request.withdrawn',
  'software.assigned', 'software.revoked',
  'user.offboarded'
] as const

export type EventType = typeof EVENT_TYPES[number]

export interface NewEvent {
  type: EventType
  /** The record, and for updates the changed fields (old -> new) under `changes`. */
  payload: Record<string, unknown>
}

export interface StoredEvent extends NewEvent {
  id: string
  workspace_id: string
  sequence: number
  created_at: Date
}

export type EventListener = (event: StoredEvent) => Promise<void>

/** Takes a dispatch batch at once; must be idempotent, as a batch is handed again after any failure. */
export type BatchEventListener = (events: StoredEvent[]) => Promise<void>
