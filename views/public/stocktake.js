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
