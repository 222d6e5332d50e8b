import { Readable } from 'node:stream'

export interface CsvColumn<Row> {
  header: string
  value: (row: Row) => unknown
}

/** What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break. Text that a
 * spreadsheet would run as a formula gets a leading single quote, so it shows as typed and is
 * never evaluated. Numbers are written as numbers (a negative one is not a formula).
 */
export function csvCell (value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvLine (cells: unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

/**
 * A CSV document streamed batch by batch (e.g. from keysetBatches): a header line, then one line
 * a row. Starts with a byte-order mark so that Excel reads it as UTF-8.
 */
export function csvStream<Row> (columns: Array<CsvColumn<Row>>, batches: AsyncIterable<Row[]>): Readable {
  async function * lines () {
    yield `\uFEFF${csvLine(columns.map(c => c.header))}`
    for await (const batch of batches) yield batch.map(row => csvLine(columns.map(c => c.value(row)))).join('')
  }
  return Readable.from(lines(), { objectMode: false })
}
