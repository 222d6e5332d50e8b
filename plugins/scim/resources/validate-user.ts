import { ScimError } from '../errors.ts'
import { ENTERPRISE_SCHEMA } from '../schemas.ts'
import { ADDRESS_PARTS, USER_ATTRIBUTES } from './canonical-names.ts'
import { isCountryCode } from './countries.ts'
import { isLanguagePreference } from './language-tag.ts'
import { isObject, type JsonObject } from './values.ts'

const MAX_TEXT = 255
const MAX_PHONE = 20

/**
 * The rules a canonical user document must meet (types were checked while canonicalising). Throws
 * the first ScimError 400 invalidValue found, naming the attribute.
 *
 * emails[].value is not checked for email syntax: the Microsoft collection creates a user whose
 * primary work email is "emailName357" and expects 201. The person needs one real address, which
 * personOf checks.
 */
export function validateUser (document: JsonObject): void {
  checkUserName(document.userName)
  checkLength(document.title, 'title', MAX_TEXT)
  // These become people columns of at most 255 characters.
  const name = isObject(document.name) ? document.name : {}
  checkLength(name.givenName, 'name.givenName', MAX_TEXT)
  checkLength(name.familyName, 'name.familyName', MAX_TEXT)
  const enterprise = document[ENTERPRISE_SCHEMA]
  if (isObject(enterprise)) {
    checkLength(enterprise.department, `${ENTERPRISE_SCHEMA}:department`, MAX_TEXT)
    checkLength(enterprise.costCenter, `${ENTERPRISE_SCHEMA}:costCenter`, MAX_TEXT)
  }
  objects(document.phoneNumbers).forEach((phone, index) => checkLength(phone.value, `phoneNumbers[${index}].value`, MAX_PHONE))
  objects(document.addresses).forEach(checkAddress)
  if (typeof document.preferredLanguage === 'string' && !isLanguagePreference(document.preferredLanguage)) {
    throw ScimError.invalidValue('preferredLanguage', 'must be a language tag (BCP 47), such as en, en-US or zh-Hant-TW')
  }
  for (const { name: attribute, multiValued } of USER_ATTRIBUTES.values()) {
    if (multiValued === true && objects(document[attribute]).filter(item => item.primary === true).length > 1) {
      throw ScimError.invalidValue(attribute, 'must have at most one value with primary true')
    }
  }
}

function checkUserName (userName: unknown): void {
  if (typeof userName !== 'string') throw ScimError.invalidValue('userName', 'is required')
  if (userName.trim() === '') throw ScimError.invalidValue('userName', 'must not be blank')
  checkLength(userName, 'userName', MAX_TEXT)
}

function checkAddress (address: JsonObject, index: number): void {
  const present = ADDRESS_PARTS.filter(part => address[part] !== undefined)
  // A country alone is allowed: the Microsoft collection sends one (PUT "Put a user OMalley", expects 200).
  const countryOnly = present.length === 1 && present[0] === 'country'
  if (present.length > 0 && present.length < ADDRESS_PARTS.length && !countryOnly) {
    const missing = ADDRESS_PARTS.filter(part => address[part] === undefined)
    throw ScimError.invalidValue(`addresses[${index}]`,
      `is missing ${missing.join(', ')} (an address gives streetAddress, locality, region, postalCode and country together, or only a country)`)
  }
  checkLength(address.locality, `addresses[${index}].locality`, MAX_TEXT)
  // Two letters must be a code; a longer value is a country's name, as Entra and the Microsoft collection send ("Germany").
  const country = address.country
  if (typeof country === 'string' && /^[a-z]{2}$/i.test(country) && !isCountryCode(country)) {
    throw ScimError.invalidValue(`addresses[${index}].country`, 'must be an ISO 3166-1 alpha-2 code, such as DE or US')
  }
}

function checkLength (value: unknown, attribute: string, max: number): void {
  // Characters as Postgres and the register's validator count them: code points, not UTF-16 units.
  if (typeof value === 'string' && [...value].length > max) throw ScimError.invalidValue(attribute, `must be at most ${max} characters`)
}

function objects (value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}
