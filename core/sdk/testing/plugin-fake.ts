// What a plugin's fake.ts exports, so the conformance suite and the one-call set-up can start it.

/** Options every fake accepts. */
export interface FakeOptions { rejectCredentials?: boolean }

export interface PluginFake {
  /** Where the fake listens (http://127.0.0.1:<port>). */
  url: string
  /** Settings that point the connector at this fake (with credentials it rejects when asked to). */
  settings: Record<string, unknown>
  close: () => Promise<void>
}

/** `export async function startFake (options?) { … }` */
export type StartFake<O extends FakeOptions = FakeOptions, F extends PluginFake = PluginFake> = (options?: O) => Promise<F>
