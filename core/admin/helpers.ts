import type { HelperDelegate, HelperOptions } from 'handlebars'
import type handlebars from 'handlebars'
import { statusLabel, type StatusKind } from './status-labels.ts'
import { formatDate, formatDateTime } from './dates.ts'
import { DEFAULT_CURRENCY, formatMoney } from '../tenancy/currency.ts'

/** The page's workspace (layout context), for pages and fragments alike; a plugin's template has none. */
const workspaceOf = (options: HelperOptions) => (options?.data?.root as { workspace?: { date_format?: string, currency?: string } } | undefined)?.workspace
/** The date format of the page's workspace; ISO without one. */
const dateFormatOf = (options: HelperOptions): unknown => workspaceOf(options)?.date_format

const helpers: Record<string, HelperDelegate> = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  json: (value: unknown) => JSON.stringify(value),
  /** A date in the workspace's format (core/admin/dates.ts): `formatDate start_date`. */
  formatDate: (value: Date | string | null, options: HelperOptions) => formatDate(value, dateFormatOf(options)),
  /** A moment as its date in the workspace's format and its UTC time. */
  formatDateTime: (value: Date | string | null, options: HelperOptions) => formatDateTime(value, dateFormatOf(options)),
  isoDateTime: (value: Date | string | null) => value ? new Date(value).toISOString() : '',
  /** An amount with the workspace's currency ("US$1,234.50"), or the one given (`{{money value code}}`); '' for none. */
  money: (value: number | string | null, ...rest: unknown[]) => {
    if (value === null || value === undefined || value === '') return ''
    const options = rest.at(-1) as HelperOptions
    const currency = typeof rest[0] === 'string' ? rest[0] : workspaceOf(options)?.currency ?? DEFAULT_CURRENCY
    return formatMoney(Number(value), currency)
  },
  lowercase: (value: unknown) => typeof value === 'string' ? value.toLowerCase() : '',
  humanize: (value: string | null) => value ? value.replace(/[._-]+/g, ' ') : '',
  /** Stringifies a changed value for display; objects become compact JSON. */
  showValue: (value: unknown) => value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value),
  /** A stored status in words: `statusLabel 'request' status` → "Submitted" (core/admin/status-labels.ts). */
  statusLabel: (kind: StatusKind, value: string | null) => value ? statusLabel(kind, value) : '',
  /** "it-admin" -> "IT admin". */
  roleLabel: (value: string) => roleLabel(value),
  /** An asset tag as the workspace issues it: prefix + number zero-padded to the digits. */
  assetTag: (prefix: unknown, digits: unknown, n: unknown) => formatAssetTag(String(prefix ?? ''), Number(digits), Number(n))
}

const ROLE_LABELS: Record<string, string> = { 'super-admin': 'Super admin', admin: 'Admin', 'it-admin': 'IT admin', employee: 'Employee' }

export function roleLabel (role: string): string {
  return ROLE_LABELS[role] ?? role
}

export function formatAssetTag (prefix: string, digits: number, n: number): string {
  const width = Number.isInteger(digits) && digits > 0 && digits <= 12 ? digits : 1
  return `${prefix}${String(Number.isFinite(n) ? n : 0).padStart(width, '0')}`
}

export function registerHelpers (engine: typeof handlebars): void {
  for (const [name, fn] of Object.entries(helpers)) engine.registerHelper(name, fn)
}
