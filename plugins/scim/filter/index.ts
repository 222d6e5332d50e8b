// The SCIM filter and PATCH path language: parsers to a typed AST, and the filter's translation to
// parameterised PostgreSQL. Self-contained: it depends on nothing else in the plugin or the core.
export type {
  AndFilter, AttributePath, CompareFilter, CompareOperator, Filter, FilterValue, NotFilter, OrFilter,
  PatchPath, PresentFilter, ValuePathFilter
} from './ast.ts'
export { ScimFilterError, ScimPathError, ScimSyntaxError, type ScimSyntaxErrorType } from './errors.ts'
export { parseFilter, type ParseFilterOptions } from './parse-filter.ts'
export { parsePath } from './parse-path.ts'
export { formatAttributePath } from './attribute-path.ts'
export {
  defineFilterAttributes,
  type AttributeMapping, type FilterAttributes, type FilterAttributesDefinition, type MultiValuedAttribute,
  type ResolvedName, type ScalarAttribute, type ScimAttributeType
} from './attribute-map.ts'
export { keptAttributes, type KeptAttributesOptions } from './kept-attributes.ts'
export { filterToSql } from './filter-to-sql.ts'
export type { SqlBinding, SqlFragment } from './fragment.ts'
