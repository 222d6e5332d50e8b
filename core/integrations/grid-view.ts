// The Integrations grid as its page shows it: the category pills and one view per card (state,
// badges, Connect, Needs review), with the plugin's icon inlined only when it cannot run script.
import type { Category } from './manifest.ts'
import { pluginPageUrl } from './plugin-page.ts'
import { removalsWaiting } from './review-view.ts'
import type { IntegrationCard } from './service.ts'

/** The Integrations page, under which each card's own routes live. */
export const INTEGRATIONS_PAGE = '/settings/integrations'
const BASE = INTEGRATIONS_PAGE

export const CATEGORIES: ReadonlyArray<{ id: Category, label: string }> = [
  { id: 'authentication', label: 'Authentication' },
  { id: 'communication', label: 'Communication' },
  { id: 'saas-utilization', label: 'SaaS utilization' },
  { id: 'ticketing', label: 'Ticketing' },
  { id: 'device-management', label: 'Device management' },
  { id: 'hris', label: 'HRIS' }
]

// Icons come from the plugin's own folder but are inlined into the page, so anything that could
// run script is refused (and a neutral placeholder shown instead).
const UNSAFE_SVG = /<script|\son[a-z-]*\s*=|javascript:|<foreignObject|<!ENTITY|<iframe|<object|<embed/i

/** The plugin's SVG, from its <svg> tag on, or null when missing or unsafe to inline. */
export function safeIcon (svg: string | null | undefined): string | null {
  if (!svg) return null
  const start = svg.search(/<svg[\s>]/i)
  if (start < 0 || UNSAFE_SVG.test(svg)) return null
  return svg.slice(start).trim()
}

export function cardView (card: IntegrationCard) {
  const m = card.plugin.manifest
  const comingSoon = m.status === 'coming-soon'
  const page = m.configure === 'page'
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    icon: safeIcon(card.plugin.iconSvg),
    initial: m.name.slice(0, 1).toUpperCase(),
    /** Saved, enabled, and its last test or run succeeded. */
    connected: card.state.kind === 'connected',
    notTested: card.state.kind === 'not-tested',
    /** Why it needs attention (its last test or run failed), or null. */
    attention: card.state.kind === 'needs-attention' ? card.state.reason : null,
    /** "Needs review": how many removals a run's guard held, or null. */
    review: card.review === null ? null : removalsWaiting(card.review.count),
    countBadge: m.countBadge && card.row?.badge_count != null
      ? `${card.row.badge_count} ${card.row.badge_count === 1 ? m.countBadge.one : m.countBadge.other}`
      : null,
    preview: m.status === 'preview',
    comingSoon,
    href: comingSoon ? null : page ? pluginPageUrl(m) : `${BASE}/${m.id}`,
    modal: !comingSoon && !page,
    categories: m.categories.map(c => CATEGORIES.find(k => k.id === c)?.label ?? c).join(', '),
    /** A consent plugin whose settings are saved but which holds no tokens: Connect, or Reconnect once it needed attention. */
    connect: card.awaitingConsent && card.row !== undefined && !comingSoon
      ? { href: `${BASE}/${m.id}/connect`, label: card.state.kind === 'needs-attention' ? 'Reconnect' : `Connect with ${m.name}` }
      : null
  }
}

export type CardView = ReturnType<typeof cardView>

/** The grid's data: pills, cards of the chosen category, or why there are none. */
export function gridView (cards: IntegrationCard[], rawCategory: string) {
  const known = rawCategory === '' || rawCategory === 'all' || CATEGORIES.some(c => c.id === rawCategory)
  const category = known && rawCategory !== 'all' ? rawCategory : ''
  const label = CATEGORIES.find(c => c.id === category)?.label ?? null
  const pills = [{ id: 'all', label: 'All' }, ...CATEGORIES].map(c => ({
    ...c,
    href: c.id === 'all' ? BASE : `${BASE}?category=${c.id}`,
    current: known && (c.id === 'all' ? category === '' : c.id === category)
  }))
  const shown = !known ? [] : cards.filter(c => category === '' || c.plugin.manifest.categories.includes(category as Category))
  return { pills, cards: shown.map(cardView), unknownCategory: known ? null : rawCategory, categoryLabel: label }
}
