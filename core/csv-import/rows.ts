// Reading a CSV file as it streams: csv-parse, with the separator told from the header line
// (Excel writes `;` where the decimal mark is a comma), a byte-order mark dropped, quoted line
// breaks kept in their cell, and each row's first line number.
import { Readable } from 'node:stream'
import { parse, CsvError } from 'csv-parse'

export const DELIMITERS = [',', ';', '\t'] as const
export type Delimiter = typeof DELIMITERS[number]

/** The separator the header line uses most, outside quotes; a comma when it has none. */
export function detectDelimiter (headerLine: string): Delimiter {
  const counts = new Map<string, number>(DELIMITERS.map(d => [d, 0]))
  let quoted = false
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1)
  }
  let best: Delimiter = ','
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d
  return best
}

export interface CsvRow {
  /** The line the row starts on (1 is the header line). */
  line: number
  cells: string[]
}

/** A file that cannot be read as CSV, with the line where reading stopped. */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError'
  constructor (message: string, readonly line: number | null) { super(message) }
}

function describe (err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED': return 'a quoted cell is never closed (a " without its closing ")'
    case 'CSV_INVALID_CLOSING_QUOTE': return 'a quote inside a quoted cell is not doubled ("")'
    case 'CSV_MAX_RECORD_SIZE': return 'a row is longer than 1 MB'
    default: return err.message
  }
}

/** At most this many characters a row: a file that is not CSV fails here rather than filling the memory. */
const MAX_RECORD_SIZE = 1024 * 1024

/** Every row of the file, the header first, as the bytes arrive (never the whole file in memory). */
export async function * csvRows (bytes: AsyncIterable<Buffer>, delimiter: Delimiter): AsyncGenerator<CsvRow> {
  const parser = parse({
    bom: true,
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
    max_record_size: MAX_RECORD_SIZE
  })
  const source = Readable.from(bytes, { objectMode: false })
  source.on('error', err => parser.destroy(err))
  source.pipe(parser)
  let lastLine = 0
  let lastEmpty = 0
  try {
    for await (const { info, record } of parser as AsyncIterable<{ info: { lines: number, empty_lines: number }, record: string[] }>) {
      const line = lastLine + 1 + (info.empty_lines - lastEmpty)
      lastLine = info.lines
      lastEmpty = info.empty_lines
      yield { line, cells: record }
    }
  } catch (err) {
    if (err instanceof CsvError) throw new CsvSyntaxError(describe(err), (err as CsvError & { lines?: number }).lines ?? null)
    throw err
  } finally {
    source.destroy()
    parser.destroy()
  }
}
