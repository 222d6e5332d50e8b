import type { FastifyInstance } from 'fastify'
import type { Actor } from '../audit/index.ts'
import { PEOPLE, type Person } from '../register/index.ts'
import { mayActAs, type Role } from './roles.ts'
import { passwordPathVerdict } from './sso/required.ts'
import { expireUnusedSignInLinks, issueSignInLinkUntil, SENT_SIGN_IN_LINK_TTL_MINUTES, signInLinkUrl } from './sign-in-links.ts'

export interface Minter { actor: Actor, role: Role }

export type SentSignInLink =
  | { sent: true, url: string, expiresAt: Date, emailed: boolean }
  | { sent: false, reason: SignInLinkRefusal }

/**
 * Why this minter cannot send this person a link, or null when they can (the button is offered only
 * then). role_above_minter: the link would act with more powers than its minter has. not_active and
 * sso_required: it could not be used (the workspace requires single sign-on, and links are then a
 * super-admin's break-glass only).
 */
export type SignInLinkRefusal = 'role_above_minter' | 'not_active' | 'sso_required'

export function signInLinkRefusal (minter: Pick<Minter, 'role'>, person: Pick<Person, 'role' | 'status'>, workspace: { require_sso: boolean }): SignInLinkRefusal | null {
  if (!mayActAs(minter.role, person.role)) return 'role_above_minter'
  if (person.status !== 'active') return 'not_active'
  if (passwordPathVerdict(workspace, person.role) === 'sso_required') return 'sso_required'
  return null
}

/**
 * An admin's "Send sign-in link": a one-time link that signs the person in as themself, valid for
 * SENT_SIGN_IN_LINK_TTL_MINUTES. Whoever mints a credential grants at most their own powers, so a
 * link for someone of a higher role is refused, and the refusal is audited. The audit entry names
 * the minter (actor) and the person (target), never the link. A new link replaces the person's
 * unused ones, so a link that went astray stops working once another is sent.
 */
export async function sendSignInLink (app: FastifyInstance, workspace: { id: string, slug: string, require_sso: boolean }, minter: Minter, person: Person): Promise<SentSignInLink> {
  const target = { type: PEOPLE.target, id: person.id, label: PEOPLE.label(person) }
  const refusal = signInLinkRefusal(minter, person, workspace)
  if (refusal === 'role_above_minter') {
    await app.audit.record(app.db, workspace.id, minter.actor, {
      action: 'auth.sign_in_link_created', outcome: 'denied', target, details: { reason: 'role_above_minter', role: person.role }
    })
  }
  if (refusal !== null) return { sent: false, reason: refusal }
  const { token, expiresAt } = await app.db.transaction(async trx => {
    await expireUnusedSignInLinks(trx, workspace.id, person.id)
    const link = await issueSignInLinkUntil(trx, workspace.id, person.id, SENT_SIGN_IN_LINK_TTL_MINUTES)
    await app.audit.record(trx, workspace.id, minter.actor, {
      action: 'auth.sign_in_link_created', target, details: { expires_at: link.expiresAt.toISOString() }
    })
    return link
  })
  // The seam for email: once an email connector exists, it sends `url` to person.email here, after
  // the link is committed, and `emailed` says whether it did. Until then the admin copies the link
  // from the page and passes it on; Stocktake sends no email.
  return { sent: true, url: signInLinkUrl(app.config, workspace.slug, token), expiresAt, emailed: false }
}
