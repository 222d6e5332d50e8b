// Query strings: set parameters without re-encoding the rest of a vendor's URL (a Graph nextLink
// or a hand-written $filter must reach the vendor as written).

/** Percent-encodes a query name or value, leaving the characters vendors expect literally ($ , : @ /). */
export function encodeQueryComponent (text: string): string {
  return encodeURIComponent(text).replace(/%(?:24|2C|3A|40|2F)/gi, escape => decodeURIComponent(escape))
}

function decodeName (raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return raw
  }
}

type QueryValue = string | number | boolean

/**
 * Sets the defined `query` entries on `url`, replacing same-named parameters and keeping the others
 * byte for byte. An array repeats its name once per value (`section=A&section=B`); an empty one is
 * left out like undefined.
 */
export function setQuery (url: URL, query: Record<string, QueryValue | QueryValue[] | undefined> | undefined): void {
  const entries = Object.entries(query ?? {}).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(one => [name, one] as const))
  if (entries.length === 0) return
  const names = new Set(entries.map(([name]) => name))
  const kept = url.search.slice(1).split('&')
    .filter(pair => pair !== '' && !names.has(decodeName(pair.split('=')[0])))
  const added = entries.map(([name, value]) => `${encodeQueryComponent(name)}=${encodeQueryComponent(String(value))}`)
  url.search = [...kept, ...added].join('&')
}
