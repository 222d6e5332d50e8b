// The core Group schema: RFC 7643 §8.7.1, with the deviations marked below.
import { GROUP_SCHEMA } from '../schemas.ts'
import { attribute, multiValued, type SchemaDefinition } from './attribute.ts'

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    // §8.7.1 says required false and uniqueness none, yet its description says REQUIRED (an
    // erratum). Stocktake requires the name and refuses duplicates with 409 uniqueness.
    attribute('displayName', 'A human-readable name for the Group. REQUIRED.', { required: true, uniqueness: 'server' }),
    multiValued('members', 'A list of members of the Group.', [
      attribute('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
      attribute('$ref', 'The URI corresponding to a SCIM resource that is a member of this Group.',
        { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
      // Not in §8.7.1, but the §8.4 example, Okta and Entra send it and Stocktake stores it.
      attribute('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.', { mutability: 'immutable' }),
      attribute('type', "A label indicating the type of resource, e.g., 'User' or 'Group'.",
        { canonicalValues: ['User', 'Group'], mutability: 'immutable' })
    ])
  ]
}
