// The core User schema: RFC 7643 §8.7.1, with the deviations marked below.
import { USER_SCHEMA } from '../schemas.ts'
import { attribute, complex, multiValued, type SchemaDefinition } from './attribute.ts'
import { display, primary, typeLabel } from './multi-valued-sub-attributes.ts'

const NAME_EXAMPLE = "given the full name 'Ms. Barbara J Jensen, III'"

export const userSchema: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      { required: true, uniqueness: 'server' }),
    // A common attribute (§3.1) that RFC 7643 leaves out of the schema; listed so that Entra,
    // which can match on externalId, finds it. caseExact and not unique, as §3.1 has it.
    attribute('externalId', 'A String that is an identifier for the resource as defined by the provisioning client.',
      { caseExact: true }),
    complex('name', "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both. If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.", [
      attribute('formatted', "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
      attribute('familyName', `The family name of the User, or last name in most Western languages (e.g., 'Jensen' ${NAME_EXAMPLE}).`),
      attribute('givenName', `The given name of the User, or first name in most Western languages (e.g., 'Barbara' ${NAME_EXAMPLE}).`),
      attribute('middleName', `The middle name(s) of the User (e.g., 'Jane' ${NAME_EXAMPLE}).`),
      attribute('honorificPrefix', `The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' ${NAME_EXAMPLE}).`),
      attribute('honorificSuffix', `The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' ${NAME_EXAMPLE}).`)
    ]),
    attribute('displayName', 'The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known.'),
    attribute('nickName', "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'. This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
    attribute('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.",
      { type: 'reference', referenceTypes: ['external'] }),
    attribute('title', 'The user\'s title, such as "Vice President."'),
    attribute('userType', "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
    attribute('preferredLanguage', "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
    attribute('locale', "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
    attribute('timezone', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    attribute('active', "A Boolean value indicating the User's administrative status.", { type: 'boolean' }),
    attribute('password', "The User's cleartext password. This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      { mutability: 'writeOnly', returned: 'never' }),
    multiValued('emails', "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.", [
      attribute('value', "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'."),
      display(),
      typeLabel("A label indicating the attribute's function, e.g., 'work' or 'home'.", ['work', 'home', 'other']),
      primary("A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address. The primary attribute value 'true' MUST appear no more than once.")
    ]),
    multiValued('phoneNumbers', "Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.", [
      attribute('value', 'Phone number of the User.'),
      display(),
      typeLabel("A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.", ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
      primary("A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number. The primary attribute value 'true' MUST appear no more than once.")
    ]),
    multiValued('ims', 'Instant messaging addresses for the User.', [
      attribute('value', 'Instant messaging address for the User.'),
      display(),
      typeLabel("A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.", ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
      primary("A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger. The primary attribute value 'true' MUST appear no more than once.")
    ]),
    multiValued('photos', 'URLs of photos of the User.', [
      attribute('value', 'URL of a photo of the User.', { type: 'reference', referenceTypes: ['external'] }),
      display(),
      typeLabel("A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", ['photo', 'thumbnail']),
      primary("A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail. The primary attribute value 'true' MUST appear no more than once.")
    ]),
    multiValued('addresses', "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'. This attribute is a complex type with the following sub-attributes.", [
      attribute('formatted', 'The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines.'),
      attribute('streetAddress', 'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines.'),
      attribute('locality', 'The city or locality component.'),
      attribute('region', 'The state or region component.'),
      attribute('postalCode', 'The zip code or postal code component.'),
      attribute('country', 'The country name component.'),
      typeLabel("A label indicating the attribute's function, e.g., 'work' or 'home'.", ['work', 'home', 'other']),
      // §8.7.1 omits it, but §4.1.2 gives addresses a primary and Entra maps it.
      primary("A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address. The primary attribute value 'true' MUST appear no more than once.")
    ]),
    multiValued('groups', 'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.', [
      attribute('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
      attribute('$ref', "The URI of the corresponding 'Group' resource to which the user belongs.",
        { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'readOnly' }),
      attribute('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.', { mutability: 'readOnly' }),
      attribute('type', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
        { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' })
    ], { mutability: 'readOnly' }),
    multiValued('entitlements', 'A list of entitlements for the User that represent a thing the User has.', [
      attribute('value', 'The value of an entitlement.'),
      display(),
      typeLabel("A label indicating the attribute's function."),
      primary()
    ]),
    multiValued('roles', "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", [
      attribute('value', 'The value of a role.'),
      display(),
      typeLabel("A label indicating the attribute's function."),
      primary()
    ]),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', [
      attribute('value', 'The value of an X.509 certificate.', { type: 'binary' }),
      display(),
      typeLabel("A label indicating the attribute's function."),
      primary()
    ])
  ]
}
