// The settings form's parts the routes render: inline error words, the schedule picker, and the
// generic controls of a plugin without card.hbs.
import type { CardField } from './card-context.ts'
import type { DiscoveredPlugin } from './discovery.ts'
import { describeInterval, scheduleChoices } from './schedule.ts'
import { ruleWords, type SettingsFieldError } from './settings-validation.ts'

/** Plain-words reasons, each naming the field, for the inline errors. */
export function fieldMessage (label: string, errors: SettingsFieldError[], field: CardField | undefined): string {
  const reasons = errors.map(e => ruleWords(e, field ?? undefined))
  return [...new Set(reasons)].map(reason => `${label} ${reason}`).join(' ')
}

export function scheduleView (plugin: DiscoveredPlugin, current: number | null, error: string | undefined) {
  return {
    off: current === null,
    choices: scheduleChoices(plugin).map(minutes => ({ minutes, label: describeInterval(minutes), selected: minutes === current })),
    error: error ?? null
  }
}

/** The generic form's controls, when a plugin has no card.hbs. */
export function genericField (pluginId: string, f: CardField) {
  const kind = f.secret
    ? 'password'
    : f.type === 'boolean'
      ? 'checkbox'
      : f.type === 'array' && f.options !== null
        ? 'checkboxes'
        : f.options !== null
          ? 'select'
          : f.type === 'integer' || f.type === 'number' ? 'number' : 'text'
  return {
    ...f,
    inputId: `${pluginId}-${f.name}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    value: f.value === null || typeof f.value === 'object' ? '' : String(f.value),
    step: f.type === 'integer' ? '1' : 'any',
    isPassword: kind === 'password',
    isCheckbox: kind === 'checkbox',
    isCheckboxes: kind === 'checkboxes',
    isSelect: kind === 'select',
    isNumber: kind === 'number',
    isText: kind === 'text'
  }
}
