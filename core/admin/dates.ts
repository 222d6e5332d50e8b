/**
 * How every page writes a date: the workspace's format (Settings → Workspace, `date_format`),
 * ISO 8601 unless changed. Calendar dates (`date` columns, 'YYYY-MM-DD' strings) are written as
 * they are, never through a time zone; moments (timestamps) as their UTC date and time, marked
 * UTC. Views use the `formatDate` and `formatDateTime` helpers; page code that builds text uses
 * these functions with `request.workspace.date_format`.
 */
export const DATE_FORMATS = {
  iso: '2026-12-07',
  dmy: '07/12/2026',
  mdy: '12/07/2026',
  'd-mon-y': '7 Dec 2026'
} as const

export type DateFormat = keyof typeof DATE_FORMATS
export const DEFAULT_DATE_FORMAT: DateFormat = 'iso'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function isDateFormat (value: unknown): value is DateFormat {
  return typeof value === 'string' && Object.hasOwn(DATE_FORMATS, value)
}

const pad = (n: number) => String(n).padStart(2, '0')

function write (year: number, month: number, day: number, format: DateFormat): string {
  const y = String(year).padStart(4, '0')
  if (format === 'dmy') return `${pad(day)}/${pad(month)}/${y}`
  if (format === 'mdy') return `${pad(month)}/${pad(day)}/${y}`
  if (format === 'd-mon-y') return `${day} ${MONTHS[month - 1]} ${y}`
  return `${y}-${pad(month)}-${pad(day)}`
}

/** A calendar date or a moment's UTC date in the format; '' for none; text that is no date as it is. */
export function formatDate (value: Date | string | null | undefined, format: unknown = DEFAULT_DATE_FORMAT): string {
  if (value === null || value === undefined || value === '') return ''
  const style = isDateFormat(format) ? format : DEFAULT_DATE_FORMAT
  const calendar = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null
  if (calendar) return write(Number(calendar[1]), Number(calendar[2]), Number(calendar[3]), style)
  const moment = new Date(value)
  if (Number.isNaN(moment.getTime())) return String(value)
  return write(moment.getUTCFullYear(), moment.getUTCMonth() + 1, moment.getUTCDate(), style)
}

/** A moment: its UTC date in the format, then the time ("2026-12-07 14:05 UTC"). */
export function formatDateTime (value: Date | string | null | undefined, format: unknown = DEFAULT_DATE_FORMAT): string {
  if (value === null || value === undefined || value === '') return ''
  const moment = new Date(value)
  if (Number.isNaN(moment.getTime())) return String(value)
  return `${formatDate(moment, format)} ${pad(moment.getUTCHours())}:${pad(moment.getUTCMinutes())} UTC`
}
