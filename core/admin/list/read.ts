import { keysetBatches, keysetPage, type Page, type PageSource } from './keyset.ts'
import type { ListQuery } from './query.ts'

type Raw = Record<string, unknown>

/** One page of a list, each row made by `toRow`; a query with errors reads nothing. */
export async function readListPage<Row> (source: PageSource, list: ListQuery<string, string>, limit: number, toRow: (raw: Raw) => Row): Promise<Page<Row>> {
  if (list.invalid) return { rows: [], next: null }
  const page = await keysetPage<Raw>(source, list.cursor, limit)
  return { rows: page.rows.map(toRow), next: page.next }
}

/** Every row of a list, a batch at a time (exports), each made by `toRow`. */
export async function * readListBatches<Row> (source: PageSource, toRow: (raw: Raw) => Row): AsyncGenerator<Row[]> {
  for await (const batch of keysetBatches<Raw>(source)) yield batch.map(toRow)
}
