// The User and Group resource layer: pure functions between request bodies, stored documents,
// people columns and the resources answered. See README.md.
export { normaliseUser } from './normalise-user.ts'
export { normaliseGroup } from './normalise-group.ts'
export { personOf, type PersonFields } from './person.ts'
export { userResource, groupResource, type MemberRow } from './render.ts'
export { projectAttributes } from './project.ts'
export type { Address, EnterpriseUser, GroupDocument, GroupMember, Manager, MultiValue, Name, ResourceMeta, UserDocument } from './types.ts'
