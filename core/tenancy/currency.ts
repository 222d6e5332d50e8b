// The workspace currency: an ISO 4217 code from the list the runtime's Intl knows (so every code
// accepted can be formatted), and amounts written with it the same way on every page.

/** The currencies Intl formats, by code. */
const CODES = new Set(Intl.supportedValuesOf('currency'))

export const DEFAULT_CURRENCY = 'USD'

export function isCurrencyCode (code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && CODES.has(code)
}

const formats = new Map<string, Intl.NumberFormat>()

/** An amount with its currency as people read it in a British-English page: "US$1,234.50", "€12.50", "£3.00", "JP¥1,235". */
export function formatMoney (value: number, currency: string): string {
  let format = formats.get(currency)
  if (format === undefined) {
    format = new Intl.NumberFormat('en-GB', { style: 'currency', currency })
    formats.set(currency, format)
  }
  return format.format(value)
}
