/* global Element, HTMLFormElement, HTMLInputElement, CSS */
// What the pages do in the browser besides htmx. A file, not inline: the Content-Security-Policy
// allows no inline script and no event-handler attribute (hx-on included), so buttons say what
// they do with data- attributes and this file does it.

document.addEventListener('click', event => {
  if (!(event.target instanceof Element)) return

  // <button data-copy="id">: copies the value of the field with that id.
  const copy = event.target.closest('button[data-copy]')
  if (copy) {
    const field = document.getElementById(copy.dataset.copy)
    if (field) navigator.clipboard.writeText(field.value).then(() => { copy.textContent = 'Copied' })
    return
  }

  // <button value="…" data-use-for="field name">: puts its value in that field of its form (a suggestion accepted).
  const use = event.target.closest('button[data-use-for]')
  if (use?.form) {
    const field = use.form.elements.namedItem(use.dataset.useFor)
    if (field) field.value = use.value
    return
  }

  // <button data-close-dialog>: closes the dialog it is in.
  event.target.closest('button[data-close-dialog]')?.closest('dialog')?.close()
})

// <dialog data-modal> swapped in by htmx opens as a modal and is removed once closed (Close or Esc).
document.addEventListener('htmx:load', event => {
  const root = event.detail?.elt ?? event.target
  if (!(root instanceof Element)) return
  const dialogs = root.matches('dialog[data-modal]') ? [root] : root.querySelectorAll('dialog[data-modal]')
  for (const dialog of dialogs) {
    if (dialog.open) continue
    dialog.addEventListener('close', () => dialog.remove(), { once: true })
    dialog.showModal()
  }
})

// <input type="file" data-read-into="id">: the chosen file's text goes into the field with that id
// (the SAML page's IdP metadata): the form posts the text as if pasted; nothing is uploaded.
document.addEventListener('change', event => {
  const input = event.target
  if (!(input instanceof HTMLInputElement) || !input.matches('input[type="file"][data-read-into]')) return
  const field = document.getElementById(input.dataset.readInto)
  const file = input.files?.[0]
  if (field && file) file.text().then(text => { field.value = text })
})

// <form data-csv-upload>: the chosen file is sent as the request body (streamed by the server into
// storage), then the browser goes to the upload's page; a refused file's reason shows in the form.
document.addEventListener('submit', event => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || !form.matches('form[data-csv-upload]')) return
  event.preventDefault()
  const message = form.querySelector('[data-csv-upload-message]')
  const button = form.querySelector('button[type="submit"]')
  const show = text => {
    message.textContent = text
    message.hidden = false
  }
  const file = form.querySelector('input[type="file"]').files[0]
  if (!file) return show('Choose a CSV file first.')
  message.hidden = true
  button.disabled = true
  fetch(form.action, {
    method: 'POST',
    body: file,
    credentials: 'same-origin',
    headers: { 'content-type': 'text/csv', 'x-csrf-token': form.elements.namedItem('_csrf').value, 'x-filename': encodeURIComponent(file.name), accept: 'application/json' }
  }).then(async response => {
    const answer = await response.json().catch(() => ({}))
    if (response.ok && answer.location) return window.location.assign(answer.location)
    show(answer.detail ?? `The upload failed (HTTP ${response.status}). Reload the page and try again.`)
  }, () => show('The upload did not reach the server. Check the connection and try again.'))
    .finally(() => { button.disabled = false })
})

// ==== Error summary (issue 17) ====
// A form refused with field errors gets a summary at the top of the page (or of the dialog it is
// in): a title, and a link to each field in error, focused so that keyboard and screen-reader
// users land on it (the GOV.UK pattern). Built here from what every form already renders — a
// <p class="field-error" id="…-error"> beside its field, and the form's banner (.form-error) — so
// no page does it itself. Without JavaScript the banner and the inline messages remain.
const SUMMARY_CLASS = 'error-summary'

/** The field a message is about: the control that names it in aria-describedby, else the first in its .field. */
function fieldFor (message) {
  if (message.id) {
    const described = document.querySelector(`[aria-describedby~="${CSS.escape(message.id)}"]`)
    if (described) return described
  }
  return message.closest('.field, fieldset')?.querySelector('input:not([type="hidden"]), select, textarea') ?? null
}

/** The form's own banner ("The token was not created…"): inside it, or before it under the same heading. */
function bannerOf (form) {
  if (!form) return null
  const inside = form.querySelector('.form-error')
  if (inside) return inside
  for (let el = form.previousElementSibling; el && !el.matches('h1, h2, h3, form'); el = el.previousElementSibling) {
    if (el.matches('.form-error')) return el
  }
  return null
}

function summariseErrors (root) {
  const scope = root.closest('dialog') ?? document.getElementById('main')
  if (!scope) return
  // Messages inside a table row (a member's role) are answered in place.
  const messages = [...scope.querySelectorAll('.field-error')].filter(m => !m.closest('tr') && !m.closest(`.${SUMMARY_CLASS}`))
  scope.querySelector(`.${SUMMARY_CLASS}`)?.remove()
  if (messages.length === 0) return

  const form = messages[0].closest('form')
  const banner = bannerOf(form)
  const summary = document.createElement('div')
  summary.className = `${SUMMARY_CLASS} form-error`
  summary.setAttribute('role', 'alert')
  summary.tabIndex = -1
  const title = document.createElement('h2')
  title.className = 'error-summary-title'
  title.id = 'error-summary-title'
  title.textContent = banner?.querySelector('p')?.textContent?.trim() || banner?.textContent?.trim() || 'There is a problem'
  summary.setAttribute('aria-labelledby', title.id)
  const list = document.createElement('ul')
  for (const problem of banner?.querySelectorAll('li') ?? []) {
    const item = document.createElement('li')
    item.textContent = problem.textContent
    list.append(item)
  }
  for (const message of messages) {
    const item = document.createElement('li')
    const field = fieldFor(message)
    const text = message.textContent.trim()
    if (field?.id) {
      const link = document.createElement('a')
      link.href = `#${field.id}`
      link.dataset.focusField = field.id
      link.textContent = text
      item.append(link)
    } else {
      item.textContent = text
    }
    list.append(item)
  }
  summary.append(title, list)
  // The banner's words are now the summary's; a conflict banner (no field errors) is left alone.
  if (banner && banner.getAttribute('role') === 'alert') banner.remove()
  // At the top of the page, after a flash message (GOV.UK: above the heading); in a dialog, above its form.
  const flash = scope.querySelector(':scope > .flash')
  if (scope.matches('dialog') && form) form.before(summary)
  else if (flash) flash.after(summary)
  else scope.prepend(summary)
  summary.focus()
}

// A link of the summary focuses its field (a plain #id link only scrolls to it).
document.addEventListener('click', event => {
  const link = event.target instanceof Element ? event.target.closest('a[data-focus-field]') : null
  if (!link) return
  const field = document.getElementById(link.dataset.focusField)
  if (!field) return
  event.preventDefault()
  field.scrollIntoView({ block: 'center' })
  field.focus()
})

document.addEventListener('DOMContentLoaded', () => {
  const main = document.getElementById('main')
  if (main) summariseErrors(main)
})
// After htmx swaps in a refused form (422), the same, within what was swapped.
// Not after a GET (filters as you type): focus must not leave the field being typed in.
document.addEventListener('htmx:afterSettle', event => {
  if (event.detail?.requestConfig?.verb === 'get') return
  let target = event.detail?.target ?? event.target
  // An outerHTML swap leaves the old target detached: its replacement has the same id.
  if (target instanceof Element && !target.isConnected && target.id) target = document.getElementById(target.id)
  if (target instanceof Element && (target.querySelector('.field-error') || target.matches('.field-error'))) summariseErrors(target)
})
// ==== end Error summary ====

// On a narrow screen the menu is one line that scrolls sideways: bring the current page's item into view.
document.addEventListener('DOMContentLoaded', () => {
  const nav = document.querySelector('.topbar nav')
  const current = nav?.querySelector('[aria-current="page"]')
  if (!nav || !current || nav.scrollWidth <= nav.clientWidth) return
  const offset = current.getBoundingClientRect().left - nav.getBoundingClientRect().left
  nav.scrollLeft += offset - (nav.clientWidth - current.offsetWidth) / 2
})

// <time datetime="…" data-local-time>14:05 UTC</time>: the page writes times in UTC; here they read
// in the browser's own time zone ("09:25"), with the zone's name in the tooltip.
function localTimes (root) {
  const times = root.matches?.('time[data-local-time]') ? [root] : root.querySelectorAll('time[data-local-time]')
  for (const time of times) {
    const at = new Date(time.getAttribute('datetime'))
    if (Number.isNaN(at.getTime())) continue
    time.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    time.title = Intl.DateTimeFormat().resolvedOptions().timeZone
  }
}
document.addEventListener('htmx:load', event => {
  const root = event.detail?.elt ?? event.target
  if (root instanceof Element) localTimes(root)
})

// A result the admin asked for lands where they clicked: when a posted form (Test connection, Sync
// now, Preview changes, Import) fills an area marked data-reveal, the area is scrolled into view,
// in a modal too. Polling (GET) never scrolls.
document.addEventListener('htmx:afterSettle', event => {
  if (event.detail?.requestConfig?.verb !== 'post') return
  const target = event.detail.target
  if (target instanceof Element && target.matches('[data-reveal]')) target.scrollIntoView({ block: 'center' }) // centred: the result grows as the run goes on
})
