import pg from 'pg'

// A list page is written as JSON straight from the text Postgres sends: no value is parsed into
// a JavaScript object to be serialised again, and Postgres does no JSON work either (its
// json_build_object costs four times the plain read). Each column is encoded by its property in
// the record's response schema, so the text is what the same record's GET answers.

type Schema = Record<string, unknown>
type Encode = (text: string) => string

/** Query option (knex `.options()`): every column arrives as the text Postgres printed. */
export const RAW_TEXT = { types: { getTypeParser: () => (text: string) => text } }

const parseTimestamp = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date

/**
 * A timestamptz as Postgres prints it (`2026-11-24 02:51:16.091383+00` in a UTC session) in the
 * form a Date serialises to everywhere else in the API: `2026-11-24T02:51:16.091Z`.
 */
export function isoTimestamp (text: string): string {
  const utc = text.length >= 22 && text.endsWith('+00') && text[10] === ' ' && text[4] === '-'
  if (!utc) return parseTimestamp(text).toISOString()
  const millis = text[19] === '.' ? (text.slice(20, -3) + '00').slice(0, 3) : '000'
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${millis}Z`
}

const raw: Encode = text => text

function encoderOf (property: Schema): Encode {
  const types = [property.type].flat()
  if (types.includes('integer')) return raw
  // numeric prints its scale ("1200.00"); the record's reader makes it a Number, and so does this.
  if (types.includes('number')) return text => String(Number(text))
  if (types.includes('boolean')) return text => (text === 't' ? 'true' : 'false')
  // jsonb prints JSON.
  if (types.includes('object') || types.includes('array')) return raw
  if (property.format === 'date-time') return text => `"${isoTimestamp(text)}"`
  return text => JSON.stringify(text)
}

export interface RecordWriter {
  /** The record's properties, which are its table's columns. */
  columns: string[]
  /** One row of RAW_TEXT values as the record's JSON. */
  write: (row: Record<string, string | null>) => string
}

/** The writer of a record schema (`{properties}` as in core/api/schemas.ts, every one a column). */
export function recordWriter (schema: Schema): RecordWriter {
  const properties = Object.entries(schema.properties as Record<string, Schema>)
  const columns = properties.map(([name]) => name)
  const heads = columns.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`)
  const encoders = properties.map(([, property]) => encoderOf(property))
  return {
    columns,
    write (row) {
      let out = ''
      for (let i = 0; i < columns.length; i++) {
        const text = row[columns[i]]
        if (text === undefined) throw new Error(`recordWriter: the row has no column ${columns[i]}`)
        out += heads[i] + (text === null ? 'null' : encoders[i](text))
      }
      return `${out}}`
    }
  }
}
