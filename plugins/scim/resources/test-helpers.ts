import { ScimError } from '../errors.ts'

/** Runs `action` and returns the ScimError it throws, or fails with what it did instead. */
export function scimErrorOf (action: () => unknown): ScimError {
  try {
    action()
  } catch (error) {
    if (error instanceof ScimError) return error
    throw error
  }
  throw new Error('expected a ScimError, but nothing was thrown')
}
