// What an MDM does not report but a new hardware row needs: a category and a friendly name.

const CATEGORY_RULES: Array<[category: string, pattern: RegExp]> = [
  ['phone', /\b(iphone|pixel|galaxy s|galaxy z|android phone)\b/i],
  ['tablet', /\b(ipad|galaxy tab|surface go)\b|ipados/i],
  ['desktop', /\b(imac|mac ?mini|mac ?pro|mac ?studio|optiplex|thinkcentre|prodesk|elitedesk|precision tower|desktop|workstation)\b/i],
  ['laptop', /\b(macbook|latitude|thinkpad|thinkbook|ideapad|xps|elitebook|probook|zbook|surface (laptop|book|pro)|chromebook|laptop|notebook|vostro|inspiron)\b/i]
]

/** Best effort from model, then OS: the admin re-categorises freely, and a re-import keeps their choice. */
export function inferCategory (model: string | null | undefined, os: string | null | undefined): string {
  for (const text of [model, os]) {
    if (!text) continue
    const rule = CATEGORY_RULES.find(([, pattern]) => pattern.test(text))
    if (rule) return rule[0]
  }
  if (os && /\b(ios)\b|android/i.test(os)) return 'phone'
  if (os && /windows|macos|mac os|os x/i.test(os)) return 'laptop'
  return 'other'
}

/** "Alice's MacBook Pro" when the owner is known, else the MDM's own name, the model, or the serial. */
export function deriveName (device: { name?: string | null, model?: string | null, serial: string }, ownerFirstName: string | null): string {
  const thing = device.model ?? device.name ?? 'device'
  if (ownerFirstName) return `${ownerFirstName}${ownerFirstName.endsWith('s') ? '\'' : '\'s'} ${thing}`.slice(0, 255)
  return (device.name ?? device.model ?? device.serial).slice(0, 255)
}
