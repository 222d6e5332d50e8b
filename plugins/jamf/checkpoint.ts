// Where a sync resumes: which inventory, which page, at which page size. Written after every page
// ("resume at computers, page 7"); a full sync's last checkpoint is left out, as the core clears
// it when the run completes.
import type { Checkpoint, ResumeToken } from '../../core/sdk.ts'
import { PAGE_SIZE } from './client.ts'
import { COLLECTIONS } from './collections.ts'

/** The inventory to start with and the page token to start it from (null: its first page). */
export interface ResumePoint { collection: number, from: ResumeToken | null }

const FROM_THE_TOP: ResumePoint = { collection: 0, from: null }

const wholeNumber = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min

/** The point a checkpoint names; the top when there is none (or it is not one of ours). */
export function resumePoint (checkpoint: Checkpoint | null): ResumePoint {
  if (checkpoint === null) return FROM_THE_TOP
  const collection = COLLECTIONS.findIndex(c => c.id === checkpoint.collection)
  if (collection === -1 || !wholeNumber(checkpoint.page, 0) || !wholeNumber(checkpoint.pageSize, 1)) return FROM_THE_TOP
  return { collection, from: { at: checkpoint.page, size: checkpoint.pageSize } }
}

/**
 * The checkpoint after a page of collection number `collection`, from the token of the page after
 * it: that page, or (after its last) the next collection's first; null after the very last.
 */
export function checkpointAfter (collection: number, resume: ResumeToken | null): Checkpoint | null {
  if (resume !== null && 'at' in resume) return { collection: COLLECTIONS[collection].id, page: resume.at, pageSize: resume.size }
  const next = COLLECTIONS[collection + 1]
  return next === undefined ? null : { collection: next.id, page: 0, pageSize: PAGE_SIZE }
}
