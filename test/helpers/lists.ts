import type { Test } from 'tap'
import type { TestSession } from './session.ts'

/** What a browser reads from an attribute Handlebars escaped. */
export const decodeAttr = (value: string) => value.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')

/**
 * The "Load more" link of a list page or rows fragment (`<tr id="<name>-more">`), decoded and, as a
 * browser requests it, without its #fragment; null on the last page.
 */
export function nextUrlIn (html: string, name: string): string | null {
  const match = new RegExp(`<tr id="${name}-more">[\\s\\S]*?<a class="button" href="([^"]+)"`).exec(html)
  return match ? decodeAttr(match[1]).replace(/#.*$/, '') : null
}

/**
 * Follows "Load more" from `url` to the last page, as htmx asks for it (HX-Target <name>-more);
 * `itemsIn` reads a page's rows (ids, tags, emails…). Returns every page's items, in order.
 */
export async function allPages (t: Test, session: TestSession, url: string, name: string, itemsIn: (html: string) => string[]): Promise<{ items: string[], pages: number }> {
  const items: string[] = []
  let next: string | null = url
  let pages = 0
  while (next) {
    const res = await session.get(next, pages === 0 ? {} : { 'hx-request': 'true', 'hx-target': `${name}-more` })
    t.equal(res.statusCode, 200, `page ${pages + 1} of ${url}`)
    items.push(...itemsIn(res.body))
    next = nextUrlIn(res.body, name)
    pages++
  }
  return { items, pages }
}

/** Each `[query, items]` case: `<path>?<query>` lists exactly these items, in this order. */
export async function listsShow (t: Test, session: TestSession, path: string, itemsIn: (html: string) => string[], cases: Array<[string, string[]]>) {
  for (const [query, items] of cases) {
    const res = await session.get(`${path}?${query}`)
    t.equal(res.statusCode, 200, query)
    t.same(itemsIn(res.body), items, query)
  }
}
