// One cell of a CSV file to the value of a canonical field: text as written, dates in ISO or in the
// file's date format, statuses in any case. A blank cell is "not in the file": the stored value stays.

/** The date formats a file's dates may be written in besides ISO (YYYY-MM-DD), which is always read. */
export const DATE_FORMATS = ['DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY-MM-DD'] as const
export type DateFormat = typeof DATE_FORMATS[number]
export const isDateFormat = (value: unknown): value is DateFormat => DATE_FORMATS.includes(value as DateFormat)

/**
 * The file's date format an upload starts with, from the one the workspace writes dates in
 * (Settings → Workspace, core/admin/dates.ts). ISO is read whatever the choice, so an ISO or
 * "7 Dec 2026" workspace keeps the upload's default and the admin picks on the columns page.
 */
export function csvDateFormatFor (workspaceFormat: unknown): DateFormat | undefined {
  switch (workspaceFormat) {
    case 'dmy': return 'DD/MM/YYYY'
    case 'mdy': return 'MM/DD/YYYY'
    default: return undefined
  }
}

/** This project's CSV export guards text a spreadsheet would run as a formula with a leading quote: undone here. */
const GUARDED_FORMULA = /^'[=+\-@\t\r]/

export function cellText (raw: string | undefined): string | null {
  if (raw === undefined) return null
  const text = raw.trim()
  if (text === '') return null
  return GUARDED_FORMULA.test(text) ? text.slice(1) : text
}

const pad = (n: number) => String(n).padStart(2, '0')

function calendarDate (year: number, month: number, day: number): string | null {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return null
  const date = new Date(Date.UTC(2000, month - 1, day))
  date.setUTCFullYear(year)
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/
const SEPARATED = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/

/**
 * YYYY-MM-DD of a date written in ISO (a date-time's date part too: spreadsheets and Snipe-IT add
 * a time) or in `format`; null when it is not a real date in either.
 */
export function parseDate (text: string, format: DateFormat): string | null {
  const iso = ISO_DATE.exec(text)
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))
  const parts = SEPARATED.exec(text.split(/[ T]/)[0])
  if (!parts) return null
  const [a, b, c] = [parts[1], parts[2], parts[3]]
  const separator = text.match(/[/.-]/)?.[0]
  switch (format) {
    case 'DD/MM/YYYY': return separator === '/' && c.length === 4 ? calendarDate(Number(c), Number(b), Number(a)) : null
    case 'MM/DD/YYYY': return separator === '/' && c.length === 4 ? calendarDate(Number(c), Number(a), Number(b)) : null
    case 'DD.MM.YYYY': return separator === '.' && c.length === 4 ? calendarDate(Number(c), Number(b), Number(a)) : null
    case 'YYYY-MM-DD': return null
  }
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** An ISO 8601 date-time (UTC when it names no offset) of a date-time or a date (midnight UTC); null when neither. */
export function parseDateTime (text: string, format: DateFormat): string | null {
  if (ISO_DATE_TIME.test(text)) {
    const date = parseDate(text.slice(0, 10), format)
    if (date === null) return null
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`
    const parsed = new Date(withZone)
    return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString()
  }
  const date = parseDate(text, format)
  return date === null ? null : `${date}T00:00:00.000Z`
}

const STATUSES: Record<string, 'active' | 'inactive' | 'offboarded'> = {
  active: 'active', activated: 'active', enabled: 'active', inactive: 'inactive', disabled: 'inactive', suspended: 'inactive', offboarded: 'offboarded', terminated: 'offboarded', left: 'offboarded'
}

export const parseStatus = (text: string): 'active' | 'inactive' | 'offboarded' | null => STATUSES[text.toLowerCase()] ?? null
