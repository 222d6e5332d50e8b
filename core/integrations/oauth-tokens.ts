// The tokens an admin's consent gave a workspace's integration (grant authorization_code): sealed
// with the workspace's data key in integration_oauth_tokens (migrations/022), and ctx.http's token
// source over them. One worker refreshes at a time, under a lease on the row and never inside a
// transaction; the others wait for the row's version to move and read the new tokens, so a
// rotated refresh token is never lost and the vendor sees one refresh.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { ConnectorError } from '../sdk/contract.ts'
import { sleep } from './http/abort.ts'
import { isGrantRefused, refreshTokens, type OAuth2Consent, type TokenSet } from './http/oauth2-consent.ts'
import { EXPIRY_MARGIN_MS, type TokenSender, type TokenSource } from './http/oauth2.ts'

/** What the store needs of core/secrets. */
export interface TokenCipher {
  encrypt: (workspaceId: string, plaintext: string, trx?: Knex.Transaction) => Promise<string>
  decrypt: (workspaceId: string, ciphertext: string, trx?: Knex.Transaction) => Promise<string>
}

/** How long a worker may hold the refresh before another may take it over (the token call's retries fit in it). */
export const REFRESH_LEASE_MS = 120_000
const WAIT_STEP_MS = 50

interface StoredTokens {
  accessToken: string
  refreshToken: string | null
  /** When to refresh: shortly before the access token expires (never, when the vendor gave no expiry). */
  refreshAt: number | null
  version: number
}

const TABLE = 'integration_oauth_tokens'

export class OAuthTokenStore {
  constructor (private readonly db: Knex, private readonly cipher: TokenCipher) {}

  /** Stores a fresh consent's tokens (replacing any before them); `db` may be a transaction. */
  async save (db: Knex | Knex.Transaction, workspaceId: string, pluginId: string, set: TokenSet): Promise<void> {
    const trx = db.isTransaction === true ? db as Knex.Transaction : undefined
    const row = {
      workspace_id: workspaceId,
      plugin_id: pluginId,
      sealed_access_token: await this.cipher.encrypt(workspaceId, set.accessToken, trx),
      sealed_refresh_token: set.refreshToken === undefined ? null : await this.cipher.encrypt(workspaceId, set.refreshToken, trx),
      expires_at: set.expiresAt,
      scope: set.scope ?? null
    }
    await db(TABLE).insert(row).onConflict(['workspace_id', 'plugin_id']).merge({
      ...row, version: db.raw(`${TABLE}.version + 1`), refresh_lease_id: null, refresh_lease_until: null, connected_at: db.fn.now(), updated_at: db.fn.now()
    })
  }

  /** The plugins of the workspace that hold tokens. */
  async consented (workspaceId: string): Promise<Set<string>> {
    return new Set((await this.db(TABLE).where({ workspace_id: workspaceId }).select('plugin_id')).map(r => r.plugin_id as string))
  }

  async read (workspaceId: string, pluginId: string): Promise<StoredTokens | null> {
    const row = await this.db(TABLE).where({ workspace_id: workspaceId, plugin_id: pluginId }).first()
    if (row === undefined) return null
    return {
      accessToken: await this.cipher.decrypt(workspaceId, row.sealed_access_token),
      refreshToken: row.sealed_refresh_token === null ? null : await this.cipher.decrypt(workspaceId, row.sealed_refresh_token),
      // a minute before expiry, or half the lifetime of a token shorter than two minutes (as client credentials)
      refreshAt: row.expires_at === null ? null : row.expires_at.getTime() - Math.min(EXPIRY_MARGIN_MS, Math.max(0, row.expires_at.getTime() - row.updated_at.getTime()) / 2),
      version: row.version
    }
  }

  async forget (workspaceId: string, pluginId: string, db: Knex | Knex.Transaction = this.db): Promise<void> {
    await db(TABLE).where({ workspace_id: workspaceId, plugin_id: pluginId }).delete()
  }

  /** Takes the refresh of tokens at `version` unless another worker holds it (or already refreshed): the lease id, or null. */
  async claimRefresh (workspaceId: string, pluginId: string, version: number): Promise<string | null> {
    const lease = randomUUID()
    const taken = await this.db(TABLE)
      .where({ workspace_id: workspaceId, plugin_id: pluginId, version })
      .where(q => q.whereNull('refresh_lease_until').orWhere('refresh_lease_until', '<', this.db.fn.now()))
      .update({ refresh_lease_id: lease, refresh_lease_until: this.db.raw('now() + make_interval(secs => ?)', [REFRESH_LEASE_MS / 1000]) })
    return taken === 1 ? lease : null
  }

  /** Writes the refreshed tokens if `lease` still holds (the old refresh token kept when the vendor did not rotate it). */
  async finishRefresh (workspaceId: string, pluginId: string, lease: string, set: TokenSet): Promise<boolean> {
    const sealed = {
      sealed_access_token: await this.cipher.encrypt(workspaceId, set.accessToken),
      ...(set.refreshToken === undefined ? {} : { sealed_refresh_token: await this.cipher.encrypt(workspaceId, set.refreshToken) }),
      expires_at: set.expiresAt,
      ...(set.scope === undefined ? {} : { scope: set.scope })
    }
    const written = await this.db(TABLE).where({ workspace_id: workspaceId, plugin_id: pluginId, refresh_lease_id: lease })
      .update({ ...sealed, version: this.db.raw(`${TABLE}.version + 1`), refresh_lease_id: null, refresh_lease_until: null, updated_at: this.db.fn.now() })
    return written === 1
  }

  /** Lets another worker try (the refresh failed for a passing reason). */
  async releaseRefresh (workspaceId: string, pluginId: string, lease: string): Promise<void> {
    await this.db(TABLE).where({ workspace_id: workspaceId, plugin_id: pluginId, refresh_lease_id: lease })
      .update({ refresh_lease_id: null, refresh_lease_until: null })
  }

  /** The vendor refused the refresh token: the tokens are worth nothing any more. */
  async dropRefused (workspaceId: string, pluginId: string, lease: string): Promise<void> {
    await this.db(TABLE).where({ workspace_id: workspaceId, plugin_id: pluginId, refresh_lease_id: lease }).delete()
  }
}

export interface StoredTokenDeps {
  store: OAuthTokenStore
  workspaceId: string
  pluginId: string
  pluginName: string
  consent: OAuth2Consent
  /** Marks the integration "Needs attention" with `reason` (a refused refresh: Reconnect). */
  onRefused: (reason: string) => Promise<void>
}

const usable = (tokens: Pick<StoredTokens, 'refreshAt'>, now = Date.now()): boolean => tokens.refreshAt === null || now < tokens.refreshAt

/** ctx.http's token source for a consented integration: the stored access token, refreshed before expiry and after a 401. */
export function storedTokenSource (deps: StoredTokenDeps, send: TokenSender): TokenSource {
  const { store, workspaceId, pluginId, pluginName } = deps
  let cached: { token: string, version: number, refreshAt: number | null } | null = null
  /** The version whose access token the vendor answered 401 to: refresh it even if it has not expired. */
  let stale = 0
  let inFlight: Promise<string> | null = null

  const notConnected = (): ConnectorError =>
    new ConnectorError('auth', `${pluginName} is not connected: use “Connect with ${pluginName}” on its card to give consent.`)

  async function refresh (tokens: StoredTokens): Promise<StoredTokens | null> {
    if (tokens.refreshToken === null) {
      // Nothing to renew with: the expired tokens go, and the card offers Reconnect.
      const reason = `${pluginName} gave no refresh token, and its access has expired. Use Reconnect on the card to give consent again.`
      await store.forget(workspaceId, pluginId)
      await deps.onRefused(reason)
      throw new ConnectorError('auth', reason)
    }
    const lease = await store.claimRefresh(workspaceId, pluginId, tokens.version)
    if (lease === null) return null // another worker refreshes, or already did
    let set: TokenSet
    try {
      set = await refreshTokens(deps.consent, send, tokens.refreshToken)
    } catch (err) {
      if (!isGrantRefused(err)) {
        await store.releaseRefresh(workspaceId, pluginId, lease)
        throw err
      }
      await store.dropRefused(workspaceId, pluginId, lease)
      const detail = [err.error, err.description].filter(part => part !== undefined).join(': ')
      const reason = `${pluginName} refused to renew Stocktake's access (${detail}). Use Reconnect on the card to give consent again.`
      await deps.onRefused(reason)
      throw new ConnectorError('auth', reason, { cause: err })
    }
    if (!await store.finishRefresh(workspaceId, pluginId, lease, set)) return null // disconnected meanwhile, or the lease lapsed
    return await store.read(workspaceId, pluginId)
  }

  async function current (): Promise<string> {
    const deadline = Date.now() + REFRESH_LEASE_MS + 5_000
    for (;;) {
      const tokens = await store.read(workspaceId, pluginId)
      if (tokens === null) throw notConnected()
      if (tokens.version !== stale && usable(tokens)) {
        cached = { token: tokens.accessToken, version: tokens.version, refreshAt: tokens.refreshAt }
        return tokens.accessToken
      }
      const fresh = await refresh(tokens)
      if (fresh !== null) {
        cached = { token: fresh.accessToken, version: fresh.version, refreshAt: fresh.refreshAt }
        return fresh.accessToken
      }
      if (Date.now() > deadline) throw new ConnectorError('network', `${pluginName}: another worker is renewing the access token and has not finished; try again.`)
      await sleep(WAIT_STEP_MS) // another worker holds the refresh: read again once it has written
    }
  }

  return {
    async get () {
      if (cached !== null && cached.version !== stale && usable(cached)) return cached.token
      inFlight ??= current().finally(() => { inFlight = null })
      return await inFlight
    },
    invalidate (token) {
      if (cached?.token === token) {
        stale = cached.version
        cached = null
      }
    }
  }
}
