// The SCIM PATCH engine (RFC 7644 §3.5.2): pure functions over a resource's JSON document.
export { applyPatch } from './apply-patch.ts'
export type { PatchTarget } from './target.ts'
export { matchesValueFilter, type ValueFilterOptions } from './value-filter.ts'
