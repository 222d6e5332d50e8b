// Loose on purpose: the handlers read and check values themselves, so a mistake comes back as a
// message beside its field; these only bound the sizes a page accepts.
const param = { type: 'string', maxLength: 2000 } as const
const id = { type: 'string', maxLength: 100 } as const

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const
export const hardwareParams = { type: 'object', properties: { id, hardwareId: id }, required: ['id', 'hardwareId'] } as const
export const seatParams = { type: 'object', properties: { id, seatId: id }, required: ['id', 'seatId'] } as const

export const listQuery = {
  type: 'object',
  properties: Object.fromEntries(['q', 'status', 'department', 'role', 'sort', 'dir', 'after'].map(name => [name, param]))
} as const

export const managerQuery = { type: 'object', properties: { manager: { type: 'string', maxLength: 320 } } } as const

/** Every form of the people pages posts flat text fields. */
export const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 2000 } } as const
