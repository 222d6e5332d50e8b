import type { HelperDelegate } from 'handlebars'
import type handlebars from 'handlebars'
import { DEFAULT_CURRENCY, formatMoney } from '../tenancy/currency.ts'

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

const helpers: Record<string, HelperDelegate> = {
  eq: (a: unknown, b: unknown) => a === b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  json: (value: unknown) => JSON.stringify(value),
  formatDateTime: (value: Date | string | null) => value ? `${dateTime.format(new Date(value))} UTC` : '',
  isoDateTime: (value: Date | string | null) => value ? new Date(value).toISOString() : '',
  /** An amount with its currency (`{{money value @root.workspace.currency}}`): "US$1,234.50"; '' for none. */
  money: (value: number | string | null, currency: unknown) => value === null || value === undefined || value === ''
    ? ''
    : formatMoney(Number(value), typeof currency === 'string' ? currency : DEFAULT_CURRENCY),
  humanize: (value: string | null) => value ? value.replace(/[._-]+/g, ' ') : '',
  /** Stringifies a changed value for display; objects become compact JSON. */
  showValue: (value: unknown) => value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value),
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
