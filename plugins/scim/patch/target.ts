/** The resource a PATCH applies to. */
export interface PatchTarget {
  /** The resource's core schema URN (USER_SCHEMA or GROUP_SCHEMA): a path prefixed with it is the plain attribute. */
  coreSchema: string
  /** Extension schema URNs whose attributes live in an object under the URN key (ENTERPRISE_SCHEMA for users). */
  extensions: string[]
  /** The resource id: a no-path value's `id` equal to it is ignored (Okta sends {id, displayName}); another id is 400 mutability. */
  id: string
}
