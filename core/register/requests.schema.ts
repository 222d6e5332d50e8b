import type { Kind } from './records.ts'
import { id, objectSchema, optionalText, text, validator } from './validate.ts'

export const REQUEST_STATUSES = ['created', 'approved', 'rejected', 'fulfilled', 'withdrawn'] as const
export type RequestStatus = typeof REQUEST_STATUSES[number]

export interface AssetRequest {
  id: string
  workspace_id: string
  requester_id: string
  category: string
  description: string | null
  status: RequestStatus
  decided_by: string | null
  decided_at: Date | null
  rejection_reason: string | null
  fulfilled_hardware_id: string | null
  fulfilled_at: Date | null
  version: number
  created_at: Date
  updated_at: Date
}

export interface RequestInput { requester_id: string, category: string, description?: string | null }

export const REQUESTS: Kind<AssetRequest> = {
  table: 'asset_requests',
  noun: 'Request',
  target: 'asset_request',
  columns: ['id', 'workspace_id', 'requester_id', 'category', 'description', 'status', 'decided_by', 'decided_at',
    'rejection_reason', 'fulfilled_hardware_id', 'fulfilled_at', 'version', 'created_at', 'updated_at'],
  fromDb: raw => raw as unknown as AssetRequest,
  label: r => `${r.category} request`
}

/** Requests still waiting for a decision or for hardware. */
export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = ['created', 'approved']

/** The moves a request can make: the status it goes to, from the statuses it may leave. */
export const TRANSITIONS: Record<'approved' | 'rejected' | 'fulfilled' | 'withdrawn', readonly RequestStatus[]> = {
  approved: ['created'],
  rejected: ['created', 'approved'],
  fulfilled: ['approved'],
  /** By the requester, while nobody has closed it. */
  withdrawn: OPEN_REQUEST_STATUSES
}

export const REQUEST_PROPERTIES = { requester_id: id, category: text(64), description: optionalText(5000) }
export const REJECTION_PROPERTIES = { reason: text(2000) }
export const FULFIL_PROPERTIES = { hardware_id: id }

export const validateRequest = validator<RequestInput>(objectSchema(REQUEST_PROPERTIES, ['requester_id', 'category']))
export const validateRejection = validator<{ reason: string }>(objectSchema(REJECTION_PROPERTIES, ['reason']))
export const validateHardwareId = validator<{ hardware_id: string }>(objectSchema(FULFIL_PROPERTIES, ['hardware_id']))
