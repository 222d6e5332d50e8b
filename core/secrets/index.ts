import fp from 'fastify-plugin'
import { SecretBox } from './box.ts'
import { checkMasterKey } from './data-keys.ts'

export { SecretBox, checkMasterKey }
export { fingerprint as masterKeyFingerprint } from './aead.ts'
export { loadMasterKey, parseMasterKey, resolveMasterKey, type MasterKey } from './master-key.ts'
export { rotateMasterKey, rotateConfiguredMasterKey } from './rotate.ts'
export { readOrCreateKeyFile } from './key-file.ts'
export * from './errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Encrypts and decrypts workspace secrets (envelope encryption; see core/secrets/box.ts). */
    secrets: SecretBox
  }
}

/**
 * Decorates the app with its SecretBox. Refuses to start when the data keys were wrapped by
 * another master key, rather than failing later at the first secret.
 */
export default fp<{ kek: Buffer }>(async (app, opts) => {
  await checkMasterKey(app.db, opts.kek)
  app.decorate('secrets', new SecretBox(app.db, opts.kek))
}, { name: 'secrets', dependencies: ['db'] })
