/** Escapes LIKE/ILIKE wildcards so a search matches the text as typed. */
export function escapeLike (value: string): string {
  return value.replace(/[\\%_]/g, c => `\\${c}`)
}
