// SCIM errors (RFC 7644 §3.12): every failure of a SCIM request is answered with this body.

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'

export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' |
  'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive'

/** A refusal with its HTTP status and, for 400/409, the SCIM error type. */
export class ScimError extends Error {
  override name = 'ScimError'
  constructor (readonly status: number, readonly scimType: ScimType | undefined, message: string) {
    super(message)
  }

  /** 400 invalidValue naming the attribute and its rule, e.g. invalidValue('title', 'must be at most 255 characters'). */
  static invalidValue (attribute: string, rule: string): ScimError {
    return new ScimError(400, 'invalidValue', `${attribute} ${rule}`)
  }
}

export interface ScimErrorBody { schemas: string[], status: string, scimType?: ScimType, detail: string }

/** The error document; `status` is a string, as RFC 7644 §3.12 shows it. */
export function scimErrorBody (status: number, scimType: ScimType | undefined, detail: string): ScimErrorBody {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }
}
