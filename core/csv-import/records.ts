// One row of a CSV file to one canonical record (core/sdk/records.ts) for the register's importers,
// or the reason it cannot be one, naming the line, the column and the rule.
import { recordProblem, type CanonicalRecord } from '../sdk/records.ts'
import { cellText, parseDate, parseDateTime, parseStatus, type DateFormat } from './cells.ts'
import { CSV_IMPORTS, type CsvField, type CsvKind, type Mapping } from './fields.ts'

export type RowOutcome = { record: CanonicalRecord } | { error: string }

const EXPECTED: Record<DateFormat, string> = {
  'DD/MM/YYYY': 'YYYY-MM-DD or DD/MM/YYYY',
  'MM/DD/YYYY': 'YYYY-MM-DD or MM/DD/YYYY',
  'DD.MM.YYYY': 'YYYY-MM-DD or DD.MM.YYYY',
  'YYYY-MM-DD': 'YYYY-MM-DD'
}

/** The match key that links the register's row to this file (its source id): what the row is matched by. */
function externalId (kind: CsvKind, values: Record<string, unknown>): string {
  if (kind === 'hardware') return String(values.serial)
  if (kind === 'people') return String(values.email).toLowerCase()
  return `${String(values.softwareName).toLowerCase()}|${String(values.email).toLowerCase()}`
}

export class RowReader {
  private readonly fields: Array<{ field: CsvField, index: number, header: string }>

  constructor (private readonly kind: CsvKind, headers: string[], mapping: Mapping, private readonly dateFormat: DateFormat) {
    this.fields = CSV_IMPORTS[kind].fields.flatMap(field => {
      const index = mapping[field.key]
      return index === undefined ? [] : [{ field, index, header: headers[index] ?? `column ${index + 1}` }]
    })
  }

  private where (key: string): string {
    const mapped = this.fields.find(f => f.field.key === key)
    return mapped ? `${mapped.field.label} (column "${mapped.header}")` : key
  }

  read (line: number, cells: string[]): RowOutcome {
    const values: Record<string, unknown> = {}
    const problems: string[] = []
    for (const { field, index } of this.fields) {
      const text = cellText(cells[index])
      if (text === null) {
        if (field.required) problems.push(`${this.where(field.key)}: is empty; every ${CSV_IMPORTS[this.kind].row} needs one`)
        continue // blank: the stored value is kept
      }
      if (field.type === 'date' || field.type === 'date-time') {
        const value = field.type === 'date' ? parseDate(text, this.dateFormat) : parseDateTime(text, this.dateFormat)
        if (value === null) problems.push(`${this.where(field.key)}: "${text}" is not a date; expected ${EXPECTED[this.dateFormat]}`)
        else values[field.key] = value
      } else if (field.type === 'status') {
        const value = parseStatus(text)
        if (value === null) problems.push(`${this.where(field.key)}: "${text}" is not a status; expected active, inactive or offboarded`)
        else values[field.key] = value
      } else {
        values[field.key] = text
      }
    }
    if (problems.length > 0) return { error: `Line ${line}: ${problems.join('; ')}` }
    const record = { externalId: externalId(this.kind, values), ...values } as unknown as CanonicalRecord
    const problem = recordProblem(CSV_IMPORTS[this.kind].model, record)
    if (problem !== null) {
      const named = problem.split('; ').map(p => {
        const key = /^(\w+)/.exec(p)?.[1] ?? ''
        return this.fields.some(f => f.field.key === key) ? `${this.where(key)}:${p.slice(key.length)}` : p
      })
      return { error: `Line ${line}: ${named.join('; ')}` }
    }
    return { record }
  }
}
