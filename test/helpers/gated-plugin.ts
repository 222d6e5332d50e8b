// A device-sync plugin whose sync holds after its first page and checkpoint, for tests of runs in
// progress (Cancel, Disconnect, a process that stops mid-run): the example plugin's manifest with
// an in-memory connector.
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { discoverPlugins, type DiscoveredPlugin } from '../../core/integrations/index.ts'
import type { Connector, SyncMessage } from '../../core/sdk.ts'

const EXTERNAL = fileURLToPath(new URL('../fixtures/external-plugin/', import.meta.url))
const [example] = await discoverPlugins({ builtinDir: null, pluginDirs: [EXTERNAL] })

function gate () {
  let open!: () => void
  const opened = new Promise<void>(resolve => { open = resolve })
  return { open, opened }
}

export const gatedDevice = (n: number) => ({ externalId: `g${n}`, serial: `GATED-${n}`, model: 'MacBook Air' })

/** What the gated syncs did: each execution's checkpoint and signal; `reached` opens once page 1 is sent, `release` lets page 2 go. */
export class Gates {
  reached = gate()
  release = gate()
  calls: Array<{ checkpoint: unknown, signal: AbortSignal }> = []

  reset (): void {
    this.reached = gate()
    this.release = gate()
    this.calls = []
  }
}

/**
 * Page 1 (device g1) and a checkpoint, then it waits — until released, or until its signal aborts
 * unless `deaf` — before page 2 (g2). A run from that checkpoint sends page 2 at once.
 */
export function gatedPlugin (id: string, gates: Gates, options: { deaf?: boolean } = {}): DiscoveredPlugin {
  const connector: Connector = {
    async * sync (ctx, { checkpoint }): AsyncGenerator<SyncMessage> {
      gates.calls.push({ checkpoint, signal: ctx.signal })
      if (checkpoint === null) {
        yield { type: 'upsert', model: 'device', records: [gatedDevice(1)] }
        yield { type: 'checkpoint', value: { page: 1 } }
        gates.reached.open()
        await (options.deaf === true ? new Promise(() => {}) : Promise.race([gates.release.opened, once(ctx.signal, 'abort')]))
        ctx.signal.throwIfAborted()
      }
      yield { type: 'upsert', model: 'device', records: [gatedDevice(2)] }
    }
  }
  return { ...example, id, manifest: { ...example.manifest, id, name: id, syncs: [{ id: 'devices', model: 'device', mode: 'incremental' }] }, connector }
}

/** Settings the example plugin's schema accepts (the gated connector never calls out). */
export const GATED_SETTINGS = { baseUrl: 'https://inventory.example', apiKey: 'k' }
