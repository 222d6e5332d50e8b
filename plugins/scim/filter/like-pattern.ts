export type LikeOperator = 'co' | 'sw' | 'ew'

/** The LIKE pattern (escape character `\`) matching the text as typed: contains, starts or ends with it. */
export function likePattern (operator: LikeOperator, text: string): string {
  const literal = text.replace(/[\\%_]/g, c => `\\${c}`)
  if (operator === 'sw') return `${literal}%`
  if (operator === 'ew') return `%${literal}`
  return `%${literal}%`
}
