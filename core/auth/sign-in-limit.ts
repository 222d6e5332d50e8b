import ipaddr from 'ipaddr.js'
import type { Knex } from 'knex'

/** Password attempts that may fail per account from one address, in a window. */
export const MAX_FAILED_SIGN_INS = 5
/** Password attempts that may fail from one address whatever the account (guessing across accounts). */
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 20
export const SIGN_IN_WINDOW_MINUTES = 15

/** A password attempt's places in the counters, taken before the password is checked. */
export interface SignInClaim {
  allowed: boolean
  /** When refused: seconds until the window that refused it ends. */
  retryAfterSeconds: number
  /** The counters this attempt holds a place in (given back when it succeeds). */
  keys: string[]
}

/**
 * Who is counted: the client's address, an IPv6 client by its /64 (one subscriber's addresses);
 * an IPv4-mapped IPv6 address as the IPv4 address it is.
 */
export function addressKey (ip: string): string {
  if (!ipaddr.isValid(ip)) return ip
  const address = ipaddr.process(ip)
  if (address.kind() === 'ipv4') return address.toString()
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`
}

/** A counter's place for one more attempt: a new window once the last one has ended, never past limit + 1. */
const CLAIM = `
  ON CONFLICT (workspace_id, key) DO UPDATE SET
    attempts = CASE WHEN t.window_started_at <= now() - make_interval(mins => :window) THEN 1 ELSE least(t.attempts + 1, :cap) END,
    window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(mins => :window) THEN now() ELSE t.window_started_at END
  RETURNING attempts, ceil(extract(epoch FROM t.window_started_at + make_interval(mins => :window) - now()))::int AS wait`

/**
 * Claims a place for a password attempt in the counters of its address and of its account from
 * that address, in one statement and before the password is checked: of any number of parallel
 * attempts, only as many as the limits allow go on to scrypt. Nothing is held open across the
 * check (no transaction, no lock). An address over its limit claims nothing for the account.
 * Counting per account alone would let anyone lock the owner out; the one-time link path is not
 * counted at all.
 */
export async function claimSignInAttempt (db: Knex, workspaceId: string, email: string, ip: string): Promise<SignInClaim> {
  const address = `address ${addressKey(ip)}`
  const account = `account ${email.trim().toLowerCase()} from ${addressKey(ip)}`
  const { rows } = await db.raw(`
    WITH address AS (
      INSERT INTO sign_in_throttle AS t (workspace_id, key, attempts) VALUES (:workspaceId, :address, 1)
      ${CLAIM.replaceAll(':cap', ':addressCap')}
    ), account AS (
      INSERT INTO sign_in_throttle AS t (workspace_id, key, attempts)
      SELECT :workspaceId, :account, 1 FROM address WHERE address.attempts <= :addressLimit
      ${CLAIM.replaceAll(':cap', ':accountCap')}
    )
    SELECT a.attempts AS address_attempts, a.wait AS address_wait, c.attempts AS account_attempts, c.wait AS account_wait
    FROM address a LEFT JOIN account c ON true`, {
    workspaceId,
    address,
    account,
    window: SIGN_IN_WINDOW_MINUTES,
    addressLimit: MAX_FAILED_SIGN_INS_PER_ADDRESS,
    addressCap: MAX_FAILED_SIGN_INS_PER_ADDRESS + 1,
    accountCap: MAX_FAILED_SIGN_INS + 1
  })
  const row: { address_attempts: number, address_wait: number | null, account_attempts: number | null, account_wait: number | null } = rows[0]
  const wait = (seconds: number | null) => Math.max(1, seconds ?? SIGN_IN_WINDOW_MINUTES * 60)
  if (row.account_attempts === null) return { allowed: false, retryAfterSeconds: wait(row.address_wait), keys: [] }
  if (row.account_attempts > MAX_FAILED_SIGN_INS) {
    // Refused for the account: the address's place goes back, so one account's lock-out does not spend the address's.
    await releaseSignInAttempt(db, workspaceId, [address])
    return { allowed: false, retryAfterSeconds: wait(row.account_wait), keys: [] }
  }
  return { allowed: true, retryAfterSeconds: 0, keys: [address, account] }
}

/** Gives back an attempt's places (it succeeded: only failures count). */
export async function releaseSignInAttempt (db: Knex, workspaceId: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return
  await db('sign_in_throttle').where({ workspace_id: workspaceId }).whereIn('key', keys)
    .update({ attempts: db.raw('greatest(attempts - 1, 0)') })
}

/** Deletes the workspace's counters whose window has ended (after a sign-in: cheap, by index). */
export async function pruneSignInCounters (db: Knex, workspaceId: string): Promise<void> {
  await db('sign_in_throttle').where({ workspace_id: workspaceId })
    .where('window_started_at', '<=', db.raw('now() - make_interval(mins => ?)', [SIGN_IN_WINDOW_MINUTES])).del()
}
