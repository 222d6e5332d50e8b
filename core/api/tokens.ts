import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Knex } from 'knex'
import { recordAudit, type Actor } from '../audit/index.ts'
import { hashSecret } from '../auth/tokens.ts'
import { NotFoundError, ValidationError, isUuid, objectSchema, validator } from '../register/index.ts'
import { ABILITIES, type Ability } from './abilities.ts'
import { displayName } from '../auth/users.ts'
import type { Role } from '../auth/roles.ts'

/** Recognisable in a leak (secret scanners match `stk_` + 43 base62 characters). */
export const TOKEN_PREFIX = 'stk_'
const SECRET_LENGTH = 43

/**
 * API tokens open /api; SCIM tokens (one per identity provider, no abilities, no expiry: an IdP
 * cannot renew one) open /scim/v2. Same table and checks, never interchangeable.
 */
export type TokenKind = 'api' | 'scim'
export const SCIM_TOKENS: TokenKind = 'scim'
const KINDS: Record<TokenKind, { prefix: string, noun: string }> = {
  api: { prefix: TOKEN_PREFIX, noun: 'API token' },
  scim: { prefix: `${TOKEN_PREFIX}scim_`, noun: 'SCIM token' }
}
/** The prefix and the first characters of the secret: shown in lists, and how a presented token is found. */
const displayPrefix = (secret: string, kind: TokenKind) => secret.slice(0, KINDS[kind].prefix.length + 8)
export const MAX_EXPIRY_DAYS = 365
/** last_used_at is written at most this often per token and process (not once per request). */
const TOUCH_INTERVAL_MS = 60_000
/**
 * A token found valid is trusted for this long by this process without asking the database again.
 * Revoking drops it here at once; another web node honours a revocation within this time.
 */
export const TOKEN_CACHE_MS = 5_000
const TOKEN_CACHE_SIZE = 10_000

export interface ApiToken {
  id: string
  workspace_id: string
  name: string
  /** Empty: every ability. */
  abilities: Ability[]
  token_prefix: string
  created_by: string | null
  created_at: Date
  expires_at: Date | null
  last_used_at: Date | null
  revoked_at: Date | null
}

/** A token as its list shows it: with who minted it (null: the command line). */
export interface ListedToken extends ApiToken {
  creator: { name: string, email: string, role: Role, status: string } | null
}

export interface TokenInput {
  name: string
  abilities?: string[]
  expires_in_days?: number | null
}

const COLUMNS = ['id', 'workspace_id', 'name', 'abilities', 'token_prefix', 'created_by', 'created_at', 'expires_at', 'last_used_at', 'revoked_at']

const name = { type: 'string', minLength: 1, maxLength: 100 }
const VALIDATORS: Record<TokenKind, (input: unknown) => TokenInput> = {
  api: validator<TokenInput>(objectSchema({
    name,
    abilities: { type: 'array', items: { type: 'string', enum: [...ABILITIES] }, uniqueItems: true },
    expires_in_days: { type: ['integer', 'null'], minimum: 1, maximum: MAX_EXPIRY_DAYS }
  }, ['name'])),
  scim: validator<TokenInput>(objectSchema({ name }, ['name']))
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** 32 random bytes in base62, always 43 characters. */
function randomBase62 (): string {
  let n = BigInt(`0x${randomBytes(32).toString('hex')}`)
  let out = ''
  for (let i = 0; i < SECRET_LENGTH; i++) {
    out = BASE62[Number(n % 62n)] + out
    n /= 62n
  }
  return out
}

export type Authentication =
  | { ok: true, token: ApiToken }
  | { ok: false, reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' }

/** The actor of an API write: the token, by name, in the audit log. */
export function tokenActor (token: ApiToken, requestId?: string): Actor {
  return { type: 'token', id: token.id, label: `API token "${token.name}"`, requestId: requestId ?? null }
}

/** Tokens of one kind: minted (the secret returned once), listed, revoked, and checked on every request. */
export class ApiTokens {
  private readonly touched = new Map<string, number>()
  /** Valid tokens by the hash of their secret, with when to ask the database again. */
  private readonly valid = new Map<string, { token: ApiToken, until: number }>()

  private readonly pattern: RegExp

  constructor (private readonly db: Knex, readonly kind: TokenKind = 'api') {
    this.pattern = new RegExp(`^${KINDS[kind].prefix}[0-9A-Za-z]{${SECRET_LENGTH}}$`)
  }

  /** "API token" or "SCIM token". */
  get noun (): string { return KINDS[this.kind].noun }

  async create (workspaceId: string, actor: Actor, input: TokenInput): Promise<{ token: ApiToken, secret: string }> {
    const values = VALIDATORS[this.kind](input)
    const secret = `${KINDS[this.kind].prefix}${randomBase62()}`
    const days = values.expires_in_days ?? null
    return await this.db.transaction(async trx => {
      const [token] = await trx('api_tokens').insert({
        workspace_id: workspaceId,
        kind: this.kind,
        name: values.name,
        abilities: values.abilities ?? [],
        token_prefix: displayPrefix(secret, this.kind),
        token_hash: hashSecret(secret),
        created_by: actor.type === 'user' && actor.id ? trx.raw('(SELECT id FROM users WHERE workspace_id = ? AND id::text = ?)', [workspaceId, actor.id]) : null,
        expires_at: days === null ? null : trx.raw('now() + make_interval(days => ?)', [days])
      }).returning(COLUMNS) as ApiToken[]
      await recordAudit(trx, workspaceId, actor, {
        action: `${this.kind}_token.created`,
        target: { type: `${this.kind}_token`, id: token.id, label: token.name },
        details: { abilities: token.abilities, expires_at: token.expires_at, prefix: token.token_prefix }
      })
      return { token, secret }
    })
  }

  /** The workspace's tokens, newest first (revoked ones too, marked), each with who minted it. */
  async list (workspaceId: string, limit = 500): Promise<ListedToken[]> {
    const rows = await this.db('api_tokens as t')
      .select([...COLUMNS.map(c => `t.${c}`), 'u.email as creator_email', 'u.first_name as creator_first_name', 'u.last_name as creator_last_name', 'u.role as creator_role', 'u.status as creator_status'])
      .leftJoin('users as u', join => join.on('u.workspace_id', 't.workspace_id').andOn('u.id', 't.created_by'))
      .where({ 't.workspace_id': workspaceId, 't.kind': this.kind })
      .orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id', order: 'desc' }]).limit(limit)
    return rows.map(({ creator_email: email, creator_first_name: first, creator_last_name: last, creator_role: role, creator_status: status, ...token }) => ({
      ...token,
      creator: email ? { name: displayName({ first_name: first, last_name: last, email }), email, role, status } : null
    }))
  }

  /** Revokes a token at once; revoking a revoked token changes nothing. */
  async revoke (workspaceId: string, actor: Actor, id: string): Promise<ApiToken> {
    const revoked = await this.db.transaction(async trx => {
      const current: ApiToken | undefined = isUuid(id)
        ? await trx('api_tokens').select(COLUMNS).where({ workspace_id: workspaceId, kind: this.kind, id }).forUpdate().first()
        : undefined
      if (!current) throw new NotFoundError(this.noun, id)
      if (current.revoked_at) return current
      const [token] = await trx('api_tokens').where({ workspace_id: workspaceId, id })
        .update({ revoked_at: trx.fn.now() }).returning(COLUMNS) as ApiToken[]
      await recordAudit(trx, workspaceId, actor, { action: `${this.kind}_token.revoked`, target: { type: `${this.kind}_token`, id, label: token.name } })
      return token
    })
    // After the commit: a request checked in between would otherwise cache it as valid again.
    this.forget(revoked.id)
    return revoked
  }

  /**
   * The token an Authorization header presents. The workspace is not known yet (it comes from the
   * token), so this is the one query that does not start from a workspace. The token is found by
   * its prefix and its hash compared in constant time.
   */
  async authenticate (header: string | undefined): Promise<Authentication> {
    if (!header) return { ok: false, reason: 'missing' }
    const match = /^Bearer +(\S+) *$/i.exec(header)
    const secret = match?.[1]
    if (!secret || !this.pattern.test(secret)) return { ok: false, reason: 'malformed' }
    const hash = hashSecret(secret)
    const now = Date.now()
    const cached = this.valid.get(hash)
    if (cached && cached.until > now) {
      if (cached.token.expires_at !== null && cached.token.expires_at.getTime() <= now) return { ok: false, reason: 'expired' }
      return { ok: true, token: cached.token }
    }
    const presented = Buffer.from(hash, 'hex')
    const candidates: Array<ApiToken & { token_hash: string, expired: boolean }> = await this.db('api_tokens')
      .select([...COLUMNS, 'token_hash', this.db.raw('(expires_at IS NOT NULL AND expires_at <= now()) AS expired')])
      .where({ token_prefix: displayPrefix(secret, this.kind), kind: this.kind })
    const found = candidates.find(c => timingSafeEqual(Buffer.from(c.token_hash, 'hex'), presented))
    if (!found) return { ok: false, reason: 'unknown' }
    if (found.revoked_at) return { ok: false, reason: 'revoked' }
    if (found.expired) return { ok: false, reason: 'expired' }
    const { token_hash: _hash, expired: _expired, ...token } = found
    if (this.valid.size >= TOKEN_CACHE_SIZE) this.valid.clear()
    this.valid.set(hash, { token, until: now + TOKEN_CACHE_MS })
    return { ok: true, token }
  }

  private forget (id: string): void {
    for (const [hash, entry] of this.valid) if (entry.token.id === id) this.valid.delete(hash)
  }

  /** Records that a token was used: at most once a minute per token and process, and once a minute across nodes. */
  async touch (token: ApiToken): Promise<void> {
    const now = Date.now()
    if (now - (this.touched.get(token.id) ?? 0) < TOUCH_INTERVAL_MS) return
    this.touched.set(token.id, now)
    if (this.touched.size > 10_000) this.touched.clear()
    await this.db('api_tokens').where({ workspace_id: token.workspace_id, id: token.id })
      .where(q => q.whereNull('last_used_at').orWhereRaw('last_used_at < now() - make_interval(secs => ?)', [TOUCH_INTERVAL_MS / 1000]))
      .update({ last_used_at: this.db.fn.now() })
  }
}

/** A token's input problem as the CLI names it: `--expires-in-days: must be at most 365 (maximum)`. */
export function describeTokenError (err: ValidationError): string {
  return err.errors.map(e => `--${e.field.split('.')[0].replace(/_/g, '-')}: ${e.message} (${e.rule})`).join('; ')
}
