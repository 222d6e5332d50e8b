// Kept apart from records.ts (which writes through the audit log and the database) so that the SDK's
// record types can name a register table's shape without reaching core/db.

/** What the shared helpers need to know about one register table. */
export interface Kind<Row> {
  table: string
  /** For messages: "Hardware 42 was not found". */
  noun: string
  /** The audit target type. */
  target: string
  /** The columns a caller sees (never credentials). */
  columns: readonly string[]
  /** Turns a database row into the plain record (numeric strings to numbers). */
  fromDb: (raw: Record<string, unknown>) => Row
  label: (row: Row) => string
}
