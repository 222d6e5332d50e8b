// What the card shows of a run that needs review, and the sentence after Confirm removals or Dismiss.
import type { PendingReview, ReviewOutcome } from './removal-review.ts'

export const removalsWaiting = (count: number) => `${count} removal${count === 1 ? '' : 's'} wait${count === 1 ? 's' : ''} for review.`

/** The card's Needs review panel: why, the first removals, and where Confirm removals and Dismiss post. */
export function reviewView (pluginId: string, review: PendingReview | null) {
  if (review === null) return null
  return {
    summary: removalsWaiting(review.count),
    reason: review.reason,
    finishedAt: review.finishedAt,
    sample: review.sample.map(s => ({ label: s.label, effect: s.model === 'person' ? 'becomes inactive' : 'seat revoked' })),
    more: Math.max(0, review.count - review.sample.length),
    actionUrl: `/settings/integrations/${pluginId}/runs/${review.runId}/removals`
  }
}

export function reviewNotice (result: ReviewOutcome): string {
  if (result.outcome === 'confirmed') {
    return `Removed ${result.removed} of ${result.count}${result.removed < result.count ? ' (the others had already changed)' : ''}.`
  }
  if (result.outcome === 'dismissed') return `Dismissed: the ${result.count} removal${result.count === 1 ? ' was' : 's were'} not applied.`
  if (result.review === 'superseded') return 'Nothing was removed: a newer sync has run since, so these removals are superseded. The next sync computes its own.'
  return `These removals were already ${result.review}.`
}
