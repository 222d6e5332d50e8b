import type { RunRow } from './runs.ts'
import { ACTIVE } from './runs.ts'

const SHOWN_ERRORS = 20
const SHOWN_PREVIEW = 50

export interface RunViewOptions {
  /** What a sync is called where it is shown: "Sync" on an integration's card (default), "Import" on Bulk import. */
  verb?: 'Sync' | 'Import'
}

const ING: Record<string, string> = { Sync: 'Syncing', Import: 'Importing', Preview: 'Previewing', Test: 'Testing' }

/** "14:05" of a UTC time (the pages show times in UTC). */
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
    /** When a rate-limited run resumes: ISO for <time>, and HH:MM (UTC) to read. */
    retryAt: retrying && run.retry_at ? { iso: new Date(run.retry_at).toISOString(), time: hoursMinutes(run.retry_at) } : null,
    /** Why it waits: the failure, without the "— retrying at …" that runs.ts appends. */
    retryReason: retrying ? (run.message ?? '').replace(/\s+—\s+retrying at .*$/, '') : null,
    succeeded: run.status === 'succeeded',
    message: run.message ?? (run.status === 'succeeded' ? 'Connected.' : `The ${label.toLowerCase()} failed.`),
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
