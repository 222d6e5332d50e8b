/**
 * Where to send the browser after sign-in: a path of the workspace, or '/' for anything else, so
 * that a crafted link cannot bounce a user to another site. `next` is resolved against the
 * workspace's origin by the WHATWG URL parser — the browser's own rules, which strip tabs and
 * newlines, read `\` as `/` and resolve `.` and `..` — and only a same-origin result is kept. What
 * is sent back is the parser's serialisation of the path, which a browser cannot read as a host:
 * one leading slash (a resolved `/.//evil` would start with two), no backslash, no control
 * character. Sign-in pages themselves are never a destination.
 */
export function safeNext (next: unknown, origin: string): string {
  if (typeof next !== 'string' || next === '') return '/'
  let url: URL
  try {
    url = new URL(next, origin)
  } catch {
    return '/'
  }
  if (url.origin !== new URL(origin).origin) return '/'
  const { pathname } = url
  if (!pathname.startsWith('/') || pathname.startsWith('//') || pathname === '/sign-in' || pathname.startsWith('/sign-in/')) return '/'
  return `${pathname}${url.search}${url.hash}`.replace(/\\/g, '%5C')
}
