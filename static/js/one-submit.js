// A form goes once: a second click (or Enter) while it is on its way does nothing, so that a
// double click never sends a report, a signature or a comment twice. The buttons look pressed
// until the next page comes. Coming back with the Back button makes the form usable again.
document.addEventListener("submit", (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return
  if (form.dataset.submitting === "yes") {
    event.preventDefault()
    return
  }
  if (event.defaultPrevented) return // a script holds it back for now (and submits it later)
  form.dataset.submitting = "yes"
  for (const button of form.querySelectorAll('button[type="submit"], input[type="submit"]')) {
    button.setAttribute("aria-disabled", "true")
    button.classList.add("is-submitting")
  }
})

window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll('form[data-submitting="yes"]')) {
    delete form.dataset.submitting
    for (const button of form.querySelectorAll(".is-submitting")) {
      button.removeAttribute("aria-disabled")
      button.classList.remove("is-submitting")
    }
  }
})
