// Command-line options of the bench scripts: flags read by node:util's parseArgs, whole numbers
// checked against their range, and a usage line printed (exit 2) instead of a stack trace.
import { parseArgs } from 'node:util'

export class UsageError extends Error {}

export type Flag =
  | { type: 'string' }
  | { type: 'boolean' }
  | { type: 'count', min: number, max: number }

/** The flags given (`--name value`, `--json`), each checked; a flag not given is absent. */
export function readFlags<T extends Record<string, Flag>> (argv: string[], flags: T): { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : T[K] extends { type: 'count' } ? number : string } {
  const options = Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { type: flag.type === 'boolean' ? 'boolean' as const : 'string' as const }]))
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const out: Record<string, string | boolean | number> = {}
  for (const [name, value] of Object.entries(values)) {
    const flag = flags[name]
    if (value === undefined) continue
    out[name] = flag.type === 'count' ? wholeNumber(`--${name}`, String(value), flag.min, flag.max) : value
  }
  return out as never
}

/** A whole number from min to max (`_` allowed as a digit separator: 100_000). */
export function wholeNumber (flag: string, text: string, min: number, max: number): number {
  const digits = text.replace(/_/g, '')
  const n = Number(digits)
  if (!/^\d+$/.test(digits) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`)
  return n
}

/** Runs a bench's main; a UsageError prints its message and the usage line, and exits 2. */
export async function runBench (name: string, usage: string, main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`${name}: ${err.message}\nusage: ${usage}`)
    process.exitCode = 2
  }
}
