import type { RunRow } from './runs.ts'
import { ACTIVE } from './runs.ts'

const SHOWN_ERRORS = 20
const SHOWN_PREVIEW = 50

export interface RunViewOptions {
  /** What a sync is called where it is shown: "Sync" on an integration's card (default), "Import" on Bulk import. */
  verb?: 'Sync' | 'Import'
}

const ING: Record<string, string> = { Sync: 'Syncing', Import: 'Importing', Preview: 'Previewing', Test: 'Testing' }

/** "14:05" of a UTC time: what a page shows without JavaScript; stocktake.js rewrites it in the browser's time zone. */
/** Words from core/sdk/failures.ts end without a full stop; a banner's sentence has one. */
const sentence = (text: string) => /[.!?]$/.test(text) ? text : `${text}.`

const hoursMinutes = (at: Date) => new Date(at).toISOString().slice(11, 16)

/**
 * A run's state for a run area (an integration's card, a Bulk import source): polling `pollUrl`
 * while pending, then the outcome with a sync's counts, the first errors and a preview's planned
 * changes field by field.
 */
export function runView (base: string, pluginId: string, run: RunRow, options: RunViewOptions = {}) {
  const pending = ACTIVE.includes(run.status)
  const sync = run.kind === 'sync'
  const label = sync ? (run.dry_run ? 'Preview' : options.verb ?? 'Sync') : 'Test'
  const retrying = run.status === 'retry_scheduled'
  const url = `${base}/${pluginId}/runs/${run.id}`
  const wrote = run.created + run.updated + run.deleted + run.errors > 0
  return {
    id: run.id,
    sync,
    dryRun: run.dry_run,
    label,
    /** "Importing", "Previewing"… */
    doing: ING[label],
    /** "sync", "import", "preview", "test": what Cancel's confirmation names. */
    noun: label.toLowerCase(),
    pending,
    cancelled: run.status === 'cancelled',
    /** Cancel, offered while it is pending (queued, running or waiting to retry). */
    cancelUrl: `${url}/cancel`,
    retrying,
    /** When a waiting run tries again: ISO for <time data-local-time>, and HH:MM UTC to read without JavaScript. */
    retryAt: retrying && run.retry_at ? { iso: new Date(run.retry_at).toISOString(), time: hoursMinutes(run.retry_at) } : null,
    /** Why it waits, in words (core/sdk/failures.ts); a run from before they were kept apart carries "— retrying at …". */
    retryReason: retrying ? (run.message ?? '').replace(/\s+—\s+retrying at .*$/, '').replace(/\.$/, '') : null,
    succeeded: run.status === 'succeeded',
    /** A stopped or failed sync wrote (or refused) records before it ended: its counts are worth showing. */
    wroteSomething: wrote,
    /** A sync's counts table: after it succeeded, or when a stopped or failed one wrote something (never "failed" above "Errors 0"). */
    showCounts: sync && !pending && (run.status === 'succeeded' || wrote),
    message: sentence(run.message ?? (run.status === 'succeeded' ? 'Connected.' : `The ${label.toLowerCase()} failed.`)),
    counts: sync ? { written: run.created + run.updated, read: run.read, created: run.created, updated: run.updated, unchanged: run.unchanged, skipped: run.skipped, errors: run.errors, deleted: run.deleted } : null,
    errorDetails: (run.error_details ?? []).slice(0, SHOWN_ERRORS),
    moreErrors: Math.max(0, run.errors - SHOWN_ERRORS),
    errorsUrl: `${url}/errors`,
    preview: (run.preview ?? []).slice(0, SHOWN_PREVIEW).map(p => ({
      ...p,
      fields: Object.entries(p.changes).map(([field, c]) => ({ field, old: c.old, new: c.new }))
    })),
    morePreview: Math.max(0, (run.preview ?? []).length - SHOWN_PREVIEW),
    pollUrl: url
  }
}

export type RunView = ReturnType<typeof runView>
