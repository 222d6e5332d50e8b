import { appendFileSync } from 'node:fs'

export async function resolve (specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context)
  appendFileSync(process.env.STOCKTAKE_RECORD_LOADS, `${resolved.url}\n`)
  return resolved
}
