import { defineFilterAttributes } from '../filter/index.ts'
import { GROUP_SCHEMA } from '../schemas.ts'

/** What a /Groups filter may name, over scim_groups AS g (displayName eq is an index scan). */
export const GROUP_FILTERS = defineFilterAttributes({
  coreSchema: GROUP_SCHEMA,
  attributes: {
    id: { sql: 'g.id::text', type: 'string', caseExact: true },
    displayName: { sql: 'g.display_name', type: 'string' },
    externalId: { sql: 'g.external_id', type: 'string', caseExact: true },
    'meta.created': { sql: 'g.created_at', type: 'dateTime' },
    'meta.lastModified': { sql: 'g.updated_at', type: 'dateTime' },
    members: {
      from: 'scim_group_members AS m',
      where: 'm.workspace_id = g.workspace_id AND m.group_id = g.id',
      subAttributes: { value: { sql: 'm.value', type: 'string', caseExact: true }, display: { sql: 'm.display', type: 'string' } }
    }
  }
})
