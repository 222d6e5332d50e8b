/* global Element, HTMLFormElement */
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
