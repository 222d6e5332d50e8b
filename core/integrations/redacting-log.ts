// A connector's log that cannot print its own secrets: every value of a secret (writeOnly) setting
// is replaced wherever it appears in what the connector logs — a message, an object's field at any
// depth, an error's message or stack — before the line reaches the process's logger. By value, not
// by field name: a connector logging `{ settings }`, a URL with a token in its query or a vendor's
// error that echoes the key is redacted all the same.
import type { ConnectorLogger } from '../sdk/contract.ts'

export const REDACTED = '[redacted]'
/** Shorter values would blank ordinary words of every line; the settings schema asks for more. */
const SHORTEST_SECRET = 4
const DEEPEST = 8

type Level = keyof ConnectorLogger
type Redact = (value: unknown) => unknown

/** Where a redacting logger keeps its redaction, for the SDK's other redacting parts (vendorFailures). */
const REDACT = Symbol.for('stocktake.redact')

/** The redaction of a connector's log (its secret settings' values), or none when it has no secrets. */
export function redactorOf (log: ConnectorLogger): Redact {
  const redact = (log as unknown as Record<symbol, unknown>)[REDACT]
  return typeof redact === 'function' ? redact as Redact : value => value
}

export function redactingLogger (log: ConnectorLogger, secrets: unknown[]): ConnectorLogger {
  // Longest first, so a secret that contains another is replaced whole.
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= SHORTEST_SECRET))]
    .sort((a, b) => b.length - a.length)
  if (values.length === 0) return log

  const text = (s: string) => values.reduce((out, secret) => out.replaceAll(secret, REDACTED), s)
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value)
    if (value === null || typeof value !== 'object' || depth >= DEEPEST) return value
    if (value instanceof Error) {
      const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, scrub({ ...value }, depth + 1) as object)
      copy.message = text(value.message)
      copy.stack = value.stack === undefined ? undefined : text(value.stack)
      return copy
    }
    if (Array.isArray(value)) return value.map(item => scrub(item, depth + 1))
    if (value instanceof URL) return text(value.href)
    if (value instanceof Date) return value
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]))
  }
  const level = (name: Level) => (obj: unknown, msg?: string) => {
    if (msg === undefined) log[name](scrub(obj, 0))
    else log[name](scrub(obj, 0), text(msg))
  }
  const redacting = { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') }
  return Object.defineProperty(redacting, REDACT, { value: (value: unknown) => scrub(value, 0) })
}
