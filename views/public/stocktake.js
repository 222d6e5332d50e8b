/* global Element */
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
