// Loose on purpose: the handlers read and check values themselves, so a mistake comes back as a
// message beside its field; these only bound the sizes a page accepts.
const param = { type: 'string', maxLength: 2000 } as const
const id = { type: 'string', maxLength: 100 } as const

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const
export const seatParams = { type: 'object', properties: { id, seatId: id }, required: ['id', 'seatId'] } as const

const queryOf = (names: string[]) => ({ type: 'object', properties: Object.fromEntries(names.map(name => [name, param])) }) as const

export const listQuery = queryOf(['q', 'sort', 'dir', 'after'])
/** The seats list on a licence's page. */
export const seatQuery = queryOf(['seats', 'sort', 'dir', 'after'])

export const formBody = { type: 'object', additionalProperties: { type: 'string', maxLength: 2000 } } as const
