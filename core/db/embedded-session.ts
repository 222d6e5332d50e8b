import type { PGlite } from '@electric-sql/pglite'

// Every connection to the embedded database runs in PGlite's one session, so whatever a client
// sets for its session (pg_dump empties search_path with set_config, psql users SET things) would
// hold for every connection after it. Stocktake's own connections (application_name `stocktake`,
// see core/db/embedded.ts) never change session state: they use SET LOCAL inside transactions.
// So an outside client (psql, pg_dump, a script) gets the session to itself while it runs, and
// when the session passes from it to another connection its settings are saved and reset; it
// gets them back when it runs again. Its session objects (prepared statements, temporary tables,
// cursors WITH HOLD, LISTEN, advisory locks) cannot be set aside like that: they are discarded
// when the last outside client disconnects. Stocktake's own traffic pays nothing for any of this.
// An open transaction cannot pass: the scheduler keeps the session with its connection until it
// ends, and the package rolls back the transaction of a connection that goes away.

/** The application_name of Stocktake's own connections (in the URL core/db/embedded.ts gives out). */
export const APP_NAME = 'stocktake'
const PROTOCOL_3 = 196608
/** The settings this session has changed from their defaults, with their units. */
const SAVE = "SELECT coalesce(json_agg(json_build_array(name, current_setting(name))), '[]') AS settings FROM pg_settings WHERE source = 'session'"
const RESTORE = 'SELECT set_config(s ->> 0, s ->> 1, false) FROM json_array_elements($1::json) AS s'
// With pg_temp named last, a temporary table an outside client made cannot hide one of ours.
const RESET = "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; SELECT set_config('search_path', current_setting('search_path') || ', pg_temp', false)"

export class SessionKeeper {
  /** Outside connections by handler id, with the settings saved when the session last left them. */
  private readonly outside = new Map<number, string | null>()
  /** The outside connection whose settings the session may hold now. */
  private setBy: number | null = null
  /** An outside connection went away and no other remains: its session objects can go. */
  private discard = false

  constructor (private readonly db: PGlite) {}

  /** Before PGlite runs `message` of connection `to`, with no transaction or unit open. */
  async prepare (to: number, message: Uint8Array): Promise<void> {
    if (this.setBy === null && !this.discard && this.outside.size === 0 && !isStartup(message)) return
    try {
      if (this.setBy !== null && this.setBy !== to) {
        if (this.outside.has(this.setBy)) this.outside.set(this.setBy, await this.save())
        await this.db.exec(RESET)
        this.setBy = null
      }
      if (this.discard && this.outside.size === 0) {
        await this.db.exec('DISCARD ALL')
        this.discard = false
      }
      if (isStartup(message) && applicationName(message) !== APP_NAME) this.outside.set(to, null)
      if (this.outside.has(to) && this.setBy !== to) {
        const saved = this.outside.get(to)
        if (saved) await this.db.query(RESTORE, [saved])
        this.setBy = to
      }
    } catch {
      // A reset that fails (a setting PGlite refuses) must not cost the next connection its query.
    }
  }

  /** A connection went away. */
  closed (handlerId: number): void {
    if (this.outside.delete(handlerId) && this.outside.size === 0) this.discard = true
  }

  private async save (): Promise<string> {
    const { rows } = await this.db.query<{ settings: unknown }>(SAVE)
    return JSON.stringify(rows[0].settings)
  }
}

const isStartup = (message: Uint8Array) => message.length >= 8 && Buffer.from(message.buffer, message.byteOffset, message.length).readInt32BE(4) === PROTOCOL_3

/** The application_name of a StartupMessage (length, version, then name\0value\0 pairs). */
function applicationName (message: Uint8Array): string | null {
  const fields = Buffer.from(message.buffer, message.byteOffset, message.length).subarray(8).toString('utf8').split('\0')
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'application_name') return fields[i + 1]
  return null
}
