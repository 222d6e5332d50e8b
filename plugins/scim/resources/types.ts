import type { ENTERPRISE_SCHEMA } from '../schemas.ts'

/** Attributes a client sent that Stocktake has no definition for are kept as sent. */
type Open = Record<string, unknown>

export interface Name extends Open {
  formatted?: string
  familyName?: string
  givenName?: string
  middleName?: string
  honorificPrefix?: string
  honorificSuffix?: string
}

/** An element of emails, phoneNumbers, ims, photos, entitlements, roles or x509Certificates. */
export interface MultiValue extends Open {
  value: string
  display?: string
  type?: string
  primary?: boolean
}

export interface Address extends Open {
  formatted?: string
  streetAddress?: string
  locality?: string
  region?: string
  postalCode?: string
  country?: string
  type?: string
  primary?: boolean
}

export interface Manager extends Open {
  value: string
  $ref?: string
  displayName?: string
}

export interface EnterpriseUser extends Open {
  employeeNumber?: string
  costCenter?: string
  organization?: string
  division?: string
  department?: string
  manager?: Manager
}

/** A SCIM User as stored: no id or meta, RFC 7643 casing, the enterprise extension under its URN. */
export interface UserDocument extends Open {
  schemas: string[]
  userName: string
  active: boolean
  externalId?: string
  name?: Name
  displayName?: string
  nickName?: string
  profileUrl?: string
  title?: string
  userType?: string
  preferredLanguage?: string
  locale?: string
  timezone?: string
  emails?: MultiValue[]
  phoneNumbers?: MultiValue[]
  ims?: MultiValue[]
  photos?: MultiValue[]
  addresses?: Address[]
  entitlements?: MultiValue[]
  roles?: MultiValue[]
  x509Certificates?: MultiValue[]
  [ENTERPRISE_SCHEMA]?: EnterpriseUser
}

export interface GroupMember {
  value: string
  display?: string
  $ref?: string
  type?: string
}

/** A SCIM Group as stored; `members` is always the full list (empty when none were sent). */
export interface GroupDocument extends Open {
  schemas: string[]
  displayName: string
  externalId?: string
  members: GroupMember[]
}

export interface ResourceMeta { id: string, created: Date, lastModified: Date, version: number, location: string }
