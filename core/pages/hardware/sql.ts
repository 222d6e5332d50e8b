// SQL expressions shared by the hardware queries. The first two are indexed by
// migrations/004_register_indexes.ts and must stay identical to it, or no index matches.

/** What the search box matches on hardware (alias `h`). */
export const HARDWARE_TEXT = "lower(h.asset_tag || ' ' || h.serial || ' ' || h.name || ' ' || coalesce(h.model, ''))"
/** What the search box matches on people (alias `p`): name and email. */
export const PERSON_TEXT = "lower(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '') || ' ' || p.email)"
/** People in name order (users_sort_name_idx), for a person aliased `alias`. */
export const personOrder = (alias: string) =>
  [`lower(coalesce(${alias}.last_name, ''))`, `lower(coalesce(${alias}.first_name, ''))`, `lower(${alias}.email)`]
