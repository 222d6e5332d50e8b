// Every way a SAML sign-in is refused: a reason code for the audit log and a plain message.
import { SamlStatusError } from '@node-saml/node-saml'
import type { SignInFailure } from '../../../core/sdk.ts'

export type RefusalReason =
  | 'unknown_idp' | 'disabled_idp' | 'malformed' | 'cannot_decrypt' | 'weak_encryption' | 'weak_signature' | 'unsigned_response'
  | 'unsigned_assertion' | 'bad_signature' | 'wrong_issuer' | 'wrong_audience' | 'wrong_destination' | 'expired'
  | 'not_yet_valid' | 'unsolicited' | 'in_response_to_mismatch' | 'replayed' | 'no_email' | 'provider_error'

export const refuse = (reason: RefusalReason, message: string): SignInFailure => ({ ok: false, reason, message })

/** A refusal found while checking (thrown to end the checks, caught by finish). */
export class Refusal extends Error {
  constructor (readonly reason: RefusalReason, message: string) {
    super(message)
    this.name = 'Refusal'
  }

  get failure (): SignInFailure { return refuse(this.reason, this.message) }
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success'
const lastPart = (uri: string): string => uri.replace(/^.*:/, '')

/**
 * An IdP that refused the sign-in (the person is not assigned to the app, MFA failed) says so in the
 * Status and often leaves such a Response unsigned: it is reported as the IdP's refusal before
 * any signature check, since nothing in it is accepted. Microsoft puts its AADSTS code in the message.
 */
export function idpRefusal (status: { code?: string, subcode?: string, message?: string }): SignInFailure | undefined {
  if (status.code === undefined || status.code === SUCCESS) return undefined
  const why = [lastPart(status.code), status.subcode && lastPart(status.subcode)].filter(Boolean).join('/')
  return refuse('provider_error', `The identity provider refused the sign-in (${why}${status.message ? `: ${status.message}` : ''}).`)
}

const SIGNATURE = 'The identity provider\'s signature on this sign-in does not verify against the certificates Stocktake has for it.'

/**
 * node-saml's errors, by what they mean. Its messages are stable strings of 5.1
 * (lib/saml.js, lib/xml.js); anything not recognised is "malformed", never an acceptance.
 */
export function refusalFromNodeSaml (err: unknown): SignInFailure {
  if (err instanceof SamlStatusError) {
    return refuse('provider_error', `The identity provider refused the sign-in (${err.message.replace(/^SAML provider returned /, '')}).`)
  }
  const message = err instanceof Error ? err.message : String(err)
  if (/signature/i.test(message)) return refuse('bad_signature', SIGNATURE)
  if (/not yet valid/i.test(message)) return refuse('not_yet_valid', 'This sign-in is not valid yet: the identity provider\'s clock is ahead by more than a few minutes.')
  if (/expired/i.test(message)) return refuse('expired', 'This sign-in has expired. Sign in again.')
  if (/audience/i.test(message)) return refuse('wrong_audience', 'This sign-in was meant for another service: its audience is not this identity provider\'s Stocktake entity ID.')
  return refuse('malformed', 'The identity provider\'s answer could not be read as a SAML Response.')
}
