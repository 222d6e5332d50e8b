import type { SortHeader } from './sort.ts'

/** A table column: its header, and the sort key that makes it sortable. */
export interface Column<S extends string> { label: string, sort?: S }

export interface ColumnHeader {
  label: string
  sortable: boolean
  href?: string
  ariaSort: SortHeader['ariaSort'] | null
}

/** The <th>s of a list's table, in order: a sortable one links to its sort (see sortHeaders). */
export function tableColumns<S extends string> (columns: ReadonlyArray<Column<S>>, headers: Record<S, SortHeader>): ColumnHeader[] {
  return columns.map(c => (c.sort ? { ...headers[c.sort], label: c.label, sortable: true } : { label: c.label, ariaSort: null, sortable: false }))
}

/** A filter select's options, keeping a value from the URL that is not among them so the form shows it. */
export function choiceOptions (values: readonly string[], selected: string | undefined, label = (v: string) => v) {
  const all = selected && !values.includes(selected) ? [selected, ...values] : values
  return all.map(value => ({ value, label: label(value), selected: value === selected }))
}
