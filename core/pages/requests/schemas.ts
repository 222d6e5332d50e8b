// Loose on purpose: the handlers check values themselves, so a mistake comes back as an inline
// message on the page; these only bound the sizes and shapes a page accepts. An :id needs no
// schema: the router caps a parameter's length and an id that is not a UUID is simply not found.
const shortText = { type: 'string', maxLength: 200 } as const

export const detailQuery = {
  type: 'object',
  properties: { hardware_q: shortText }
} as const

export const formBody = {
  type: 'object',
  properties: {
    _csrf: { type: 'string' },
    category: { type: 'string', maxLength: 1000 },
    description: { type: 'string', maxLength: 20000 },
    reason: { type: 'string', maxLength: 20000 },
    hardware_id: shortText,
    version: shortText
  }
} as const
