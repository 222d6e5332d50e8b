const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/i

/**
 * An xsd:dateTime (RFC 7643 §2.3.5) ready for `::timestamptz`, or null when it is not one. A value
 * without an offset is read as UTC, so the result does not depend on the session's time zone.
 */
export function normaliseDateTime (text: string): string | null {
  const match = DATE_TIME.exec(text)
  if (match === null) return null
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number)
  const offsetHours = match[9] === undefined ? 0 : Number(match[9])
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10])
  const date = new Date(Date.UTC(year, month - 1, day))
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  if (!realDay || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return null
  return match[8] === undefined ? `${text}Z` : text
}
