// oidc-provider's storage for one OIDC peer, in memory (oidc-provider's own default prints a
// warning on every start): sessions, interactions, codes (consumed once) and grants.

type Payload = Record<string, any>

/** An adapter class for oidc-provider's `adapter` option; every model of one peer shares its map. */
export function memoryAdapter () {
  const store = new Map<string, { payload: Payload, expiresAt: number }>()
  return class MemoryAdapter {
    constructor (private readonly model: string) {}
    private key (id: string): string { return `${this.model}:${id}` }

    async upsert (id: string, payload: Payload, expiresIn: number): Promise<void> {
      const expiresAt = Date.now() + expiresIn * 1000
      store.set(this.key(id), { payload, expiresAt })
      if (typeof payload.uid === 'string') store.set(this.key(`uid:${payload.uid}`), { payload: { id }, expiresAt })
    }

    async find (id: string): Promise<Payload | undefined> {
      const entry = store.get(this.key(id))
      return entry === undefined || entry.expiresAt < Date.now() ? undefined : entry.payload
    }

    async findByUid (uid: string): Promise<Payload | undefined> {
      const ref = await this.find(`uid:${uid}`)
      return ref === undefined ? undefined : await this.find(String(ref.id))
    }

    async findByUserCode (): Promise<undefined> { return undefined }

    async consume (id: string): Promise<void> {
      const entry = store.get(this.key(id))
      if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000)
    }

    async destroy (id: string): Promise<void> { store.delete(this.key(id)) }

    async revokeByGrantId (grantId: string): Promise<void> {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key)
    }
  }
}
