// Text as a page's HTML carries it, back to what it says: the character references handlebars and
// SimpleSAMLphp's templates write (&#x3D;, &amp;, &quot;…), for tests that read values out of a page.
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

export const decodeHtml = (text: string): string => text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, code: string) =>
  code.startsWith('#x') || code.startsWith('#X')
    ? String.fromCodePoint(parseInt(code.slice(2), 16))
    : code.startsWith('#') ? String.fromCodePoint(parseInt(code.slice(1), 10)) : ENTITIES[code.toLowerCase()] ?? whole)
