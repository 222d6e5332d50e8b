import type { HardwareStatus, PersonStatus, RequestStatus } from '../register/index.ts'

/**
 * Every status a page shows, in the words people use. The stored and API values (`created`,
 * `in_repair`) are a contract and stay as they are; pages, filters and messages label them here,
 * through statusLabel (the `statusLabel` view helper).
 */
const LABELS = {
  request: { created: 'Submitted', approved: 'Approved', rejected: 'Rejected', fulfilled: 'Fulfilled', withdrawn: 'Withdrawn' } satisfies Record<RequestStatus, string>,
  hardware: { available: 'Available', assigned: 'Assigned', in_repair: 'In repair', retired: 'Retired', lost: 'Lost' } satisfies Record<HardwareStatus, string>,
  person: { active: 'Active', inactive: 'Inactive', offboarded: 'Offboarded' } satisfies Record<PersonStatus, string>
}

export type StatusKind = keyof typeof LABELS

export function statusLabel (kind: StatusKind, value: string): string {
  const label = (LABELS[kind] as Record<string, string>)[value]
  return label ?? value.replace(/_/g, ' ')
}

/** The labeller of one kind, for select options and filters. */
export const statusLabeller = (kind: StatusKind) => (value: string): string => statusLabel(kind, value)
