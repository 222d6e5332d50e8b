import type { HelperDelegate } from 'handlebars'
import type handlebars from 'handlebars'

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

const helpers: Record<string, HelperDelegate> = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  json: (value: unknown) => JSON.stringify(value),
  formatDateTime: (value: Date | string | null) => value ? `${dateTime.format(new Date(value))} UTC` : '',
  isoDateTime: (value: Date | string | null) => value ? new Date(value).toISOString() : '',
  humanize: (value: string | null) => value ? value.replace(/[._-]+/g, ' ') : '',
  /** Stringifies a changed value for display; objects become compact JSON. */
  showValue: (value: unknown) => value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)
}

export function registerHelpers (engine: typeof handlebars): void {
  for (const [name, fn] of Object.entries(helpers)) engine.registerHelper(name, fn)
}
