// What an inbound plugin (SCIM, SSO) gets beside ctx: the workspace a bearer token opens, and the
// register's people in a transaction that also holds the plugin's own tables. Types only; the
// core implements them in core/integrations/directory.ts.
import type { Knex } from 'knex'
import type { Person, PersonRole, PersonStatus } from '../register/people.schema.ts'

/** The token of an inbound request: it names the workspace. */
export interface InboundToken { id: string, workspaceId: string, name: string }

export type InboundAuthentication =
  | { ok: true, token: InboundToken }
  | { ok: false, reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked', message: string }

export type { PersonRole, PersonStatus }

/** A person of the register as an inbound plugin reads it. */
export type DirectoryPerson = Omit<Person, 'workspace_id' | 'source_ids'>

export type PersonFields = Partial<Pick<DirectoryPerson,
  'email' | 'first_name' | 'last_name' | 'job_title' | 'department' | 'location' | 'manager_id' | 'cost_center' | 'start_date' | 'source'>>

/**
 * The register's people inside the transaction: every write is validated, audited as the token
 * and emits its events, committing with the plugin's own writes or not at all. Failures are the
 * register's ValidationError (422, `errors` by field and rule) and NotFoundError (404).
 */
export interface DirectoryPeople {
  get (id: string): Promise<DirectoryPerson>
  /** The people of the workspace with these ids, in no particular order (ids naming no one are left out). */
  getMany (ids: readonly string[]): Promise<DirectoryPerson[]>
  /** The person with this email (case-insensitive), or null. */
  findByEmail (email: string): Promise<DirectoryPerson | null>
  create (fields: PersonFields & { email: string }): Promise<DirectoryPerson>
  /** As create, in one statement, but null (nothing written) when someone has the email already. */
  createIfEmailFree (fields: PersonFields & { email: string }): Promise<DirectoryPerson | null>
  update (id: string, fields: PersonFields): Promise<DirectoryPerson>
  /** Marks the person gone and emits user.offboarded with what they hold; idempotent. */
  offboard (id: string): Promise<DirectoryPerson>
  /** The same person back to active (end date cleared); idempotent. */
  reactivate (id: string): Promise<DirectoryPerson>
  /** Refuses to demote the last active super-admin. */
  changeRole (id: string, role: PersonRole): Promise<DirectoryPerson>
}

export interface DirectoryTransaction {
  /**
   * The transaction, searching only the plugin's own schema: its tables (`<id>_…`), always by
   * workspace. A core table named here does not exist; read people through `people`.
   */
  db: Knex.Transaction
  people: DirectoryPeople
}

export interface Directory {
  transaction <T>(token: InboundToken, requestId: string, work: (tx: DirectoryTransaction) => Promise<T>): Promise<T>
}
