/** A well-formed BCP 47 (RFC 5646) language tag such as en, en-US or zh-Hant-TW, as Intl reads them. */
export function isLanguageTag (tag: string): boolean {
  if (tag === '') return false
  try {
    Intl.getCanonicalLocales(tag)
    return true
  } catch {
    return false
  }
}

const QUALITY = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i

/**
 * A preferredLanguage value. RFC 7643 §4.1.1 gives it the form of an Accept-Language header
 * ("da, en-gb;q=0.8, en;q=0.7"); clients send a single tag, which is such a list of one.
 */
export function isLanguagePreference (value: string): boolean {
  return value.split(',').every(range => {
    const [tag, ...parameters] = range.split(';').map(part => part.trim())
    return (tag === '*' || isLanguageTag(tag)) && parameters.every(parameter => QUALITY.test(parameter))
  })
}
