// Loose on purpose: the handlers read and check values themselves, so a mistake comes back as a
// message beside its field; these only bound the sizes a page accepts.
const param = { type: 'string', maxLength: 2000 } as const

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', maxLength: 100 } },
  required: ['id']
} as const

export const listQuery = {
  type: 'object',
  properties: Object.fromEntries(['q', 'status', 'category', 'manufacturer', 'source', 'sort', 'dir', 'after'].map(name => [name, param]))
} as const

export const assigneeQuery = {
  type: 'object',
  properties: { person: { type: 'string', maxLength: 320 } }
} as const

/** Every form of the hardware pages posts flat text fields; notes are the longest. */
export const formBody = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 20000 }
} as const
