// Where a sync resumes: which inventory, which page, at which page size. Written after every page
// ("resume at computers, page 7"); a full sync's last checkpoint is left out, as the core clears
// it when the run completes.
import type { Checkpoint } from '../../core/sdk.ts'
import { PAGE_SIZE, type InventoryPage, type PagePosition } from './client.ts'
import { COLLECTIONS } from './collections.ts'

export interface ResumePoint { collection: number, position: PagePosition }

const FROM_THE_TOP: ResumePoint = { collection: 0, position: { page: 0, pageSize: PAGE_SIZE } }

const wholeNumber = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min

/** The point a checkpoint names; the top when there is none (or it is not one of ours). */
export function resumePoint (checkpoint: Checkpoint | null): ResumePoint {
  if (checkpoint === null) return FROM_THE_TOP
  const collection = COLLECTIONS.findIndex(c => c.id === checkpoint.collection)
  if (collection === -1 || !wholeNumber(checkpoint.page, 0) || !wholeNumber(checkpoint.pageSize, 1)) return FROM_THE_TOP
  return { collection, position: { page: checkpoint.page, pageSize: checkpoint.pageSize } }
}

/** The checkpoint after `page` of collection number `collection`: its next page, or the next collection's first; null after the very last. */
export function checkpointAfter (collection: number, page: InventoryPage): Checkpoint | null {
  if (!page.last) return { collection: COLLECTIONS[collection].id, page: page.page + 1, pageSize: page.pageSize }
  const next = COLLECTIONS[collection + 1]
  return next === undefined ? null : { collection: next.id, page: 0, pageSize: PAGE_SIZE }
}
