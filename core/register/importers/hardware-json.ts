import { HARDWARE } from '../hardware.schema.ts'

const TIMESTAMPS = new Set(['assigned_at', 'acknowledged_at', 'created_at', 'updated_at'])

/** A timestamptz as JavaScript's Date#toJSON writes it: UTC, milliseconds, "Z". */
const jsTime = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * SQL building, in the database, the JSON of a hardware row exactly as an event written from
 * JavaScript carries it (`{ ...HARDWARE.fromDb(row) }`), so that set-based imports emit the same
 * payloads as the register's other writers without sending every row to Node and back.
 */
export function hardwareJson (alias: string): string {
  return `jsonb_build_object(${HARDWARE.columns.map(c => `'${c}', ${TIMESTAMPS.has(c) ? jsTime(`${alias}.${c}`) : `${alias}.${c}`}`).join(', ')})`
}
