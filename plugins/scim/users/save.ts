import type { DirectoryPerson, DirectoryTransaction, PersonFields } from '../../../core/sdk.ts'
import { sameOnceStored } from '../patch/json.ts'
import { personOf, type UserDocument } from '../resources/index.ts'
import { candidateEmails, placeholderEmail } from './emails.ts'
import { findUser, insertUser, isLinked, isScimId, updateUser, type StoredUser } from './store.ts'

/** The manager a document names, when it is a person of the workspace; any other value is kept only in the document. */
async function managerOf (tx: DirectoryTransaction, workspaceId: string, managerId: string | null): Promise<string | null> {
  if (!managerId || !isScimId(managerId)) return null
  return (await findUser(tx.db, workspaceId, managerId)) ? managerId : null
}

/**
 * The person a new user is: an unprovisioned person with one of its addresses (made by hand, by
 * an HRIS, or provisioned before and deleted: the same person again), or else a new one with the
 * first address nobody uses.
 */
async function personFor (tx: DirectoryTransaction, workspaceId: string, emails: string[]): Promise<{ same: DirectoryPerson | null, free: string | null }> {
  let free: string | null = null
  for (const email of emails) {
    const owner = await tx.people.findByEmail(email)
    if (!owner) free ??= email
    else if (!await isLinked(tx.db, workspaceId, owner.id)) return { same: owner, free }
  }
  return { same: null, free }
}

/** The best address for an existing person: theirs already or nobody's; null keeps the one they have. */
async function emailFor (tx: DirectoryTransaction, personId: string, emails: string[]): Promise<string | null> {
  for (const email of emails) {
    const owner = await tx.people.findByEmail(email)
    if (!owner || owner.id === personId) return email
  }
  return null
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, i) => item === b[i])

/**
 * Writes a user document: the person of the register (created, or the same person found by email,
 * so a user deleted and provisioned again is not a second person), their lifecycle (inactive →
 * offboarded with user.offboarded; active again → the same person reactivated), and the stored
 * document. One transaction: all of it or nothing. A taken userName is refused by the unique
 * index of scim_users (409 uniqueness), which rolls everything back.
 */
export async function saveUser (tx: DirectoryTransaction, workspaceId: string, current: StoredUser | null, document: UserDocument): Promise<StoredUser> {
  const wanted = personOf(document)
  const fields: PersonFields = {
    first_name: wanted.first_name,
    last_name: wanted.last_name,
    job_title: wanted.job_title,
    department: wanted.department,
    cost_center: wanted.cost_center,
    location: wanted.location,
    manager_id: await managerOf(tx, workspaceId, wanted.managerId)
  }
  const emails = candidateEmails(document)
  let person
  if (current) {
    // The person's address is looked at again only when the user's addresses changed.
    const email = sameList(emails, candidateEmails(current.document)) ? null : await emailFor(tx, current.id, emails)
    person = await tx.people.update(current.id, email ? { ...fields, email } : fields)
  } else {
    // One address nobody has (the usual new user): created in one statement, without a lookup first.
    person = emails.length === 1 ? await tx.people.createIfEmailFree({ ...fields, email: emails[0], source: 'scim' }) : null
    if (!person) {
      const { same, free } = await personFor(tx, workspaceId, emails)
      person = same
        ? await tx.people.update(same.id, fields)
        : await tx.people.create({ ...fields, email: free ?? placeholderEmail(document.userName), source: 'scim' })
    }
  }
  if (wanted.active && person.status !== 'active') person = await tx.people.reactivate(person.id)
  if (!wanted.active && person.status !== 'offboarded') person = await tx.people.offboard(person.id)
  if (!current) return await insertUser(tx.db, workspaceId, person.id, document)
  // A PUT or PATCH that leaves the document as it is writes nothing: version and lastModified stay.
  if (sameOnceStored(current.document, document)) return current
  return await updateUser(tx.db, workspaceId, person.id, document)
}
