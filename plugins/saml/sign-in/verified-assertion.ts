// What node-saml 5.1 verified but does not check, read from the assertion it verified (never from
// the document as posted, where a wrapped copy could sit): its Issuer, its bearer
// SubjectConfirmation's Recipient and time window, and what the replay cache needs.
import { ASSERTION, childText, childrenNamed, parseXml } from './document.ts'
import { Refusal } from './refusals.ts'
import { CLOCK_SKEW_MS } from './service-provider.ts'

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'

export interface AssertionFacts {
  id: string
  issuer: string | undefined
  /** InResponseTo of the bearer confirmation that was accepted, if it carries one. */
  inResponseTo?: string
  /** When the assertion stops being usable (the latest NotOnOrAfter): kept in the replay cache until then. */
  expiresAt: Date
}

const time = (element: Element, name: string): number | undefined => {
  const value = element.getAttribute(name)
  if (value === null || value === '') return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new Refusal('malformed', `The assertion's ${name} is not a date.`)
  return ms
}

/**
 * The bearer confirmation meant for this ACS URL, within its time window. The Web SSO profile
 * requires Recipient and NotOnOrAfter on it; node-saml checks neither unless it validates
 * InResponseTo itself.
 */
function bearerConfirmation (assertion: Element, acsUrl: string, now: number): Element {
  const subject = childrenNamed(assertion, ASSERTION, 'Subject')[0]
  const data = (subject === undefined ? [] : childrenNamed(subject, ASSERTION, 'SubjectConfirmation'))
    .filter(confirmation => confirmation.getAttribute('Method') === BEARER)
    .flatMap(confirmation => childrenNamed(confirmation, ASSERTION, 'SubjectConfirmationData'))
  const forUs = data.filter(item => item.getAttribute('Recipient') === acsUrl)
  if (forUs.length === 0) {
    const recipient = data[0]?.getAttribute('Recipient')
    throw new Refusal('wrong_destination', recipient
      ? `This sign-in was sent for ${recipient}, not for this identity provider's Stocktake ACS URL ${acsUrl}.`
      : 'The assertion names no recipient (its bearer SubjectConfirmationData has no Recipient).')
  }
  let refusal: Refusal | undefined
  for (const item of forUs) {
    const notOnOrAfter = time(item, 'NotOnOrAfter')
    const notBefore = time(item, 'NotBefore')
    if (notOnOrAfter === undefined || now - CLOCK_SKEW_MS >= notOnOrAfter) refusal = new Refusal('expired', 'This sign-in has expired. Sign in again.')
    else if (notBefore !== undefined && now + CLOCK_SKEW_MS < notBefore) refusal = new Refusal('not_yet_valid', 'This sign-in is not valid yet: the identity provider\'s clock is ahead by more than a few minutes.')
    else return item
  }
  throw refusal
}

export function checkVerifiedAssertion (assertionXml: string, expected: { issuer: string, acsUrl: string }, now = Date.now()): AssertionFacts {
  const assertion = parseXml(assertionXml)
  const issuer = childText(assertion, ASSERTION, 'Issuer')
  if (issuer !== expected.issuer) {
    throw new Refusal('wrong_issuer', `This sign-in was issued by ${issuer ?? 'no named issuer'}, not by this identity provider (${expected.issuer}).`)
  }
  const confirmation = bearerConfirmation(assertion, expected.acsUrl, now)
  const conditions = childrenNamed(assertion, ASSERTION, 'Conditions')[0]
  const ends = [time(confirmation, 'NotOnOrAfter'), conditions === undefined ? undefined : time(conditions, 'NotOnOrAfter')]
    .filter((ms): ms is number => ms !== undefined)
  const id = assertion.getAttribute('ID')
  if (!id) throw new Refusal('malformed', 'The assertion has no ID.')
  return {
    id,
    issuer,
    inResponseTo: confirmation.getAttribute('InResponseTo') || undefined,
    expiresAt: new Date(Math.max(...ends) + CLOCK_SKEW_MS)
  }
}
