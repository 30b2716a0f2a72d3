// GOV.UK pattern: when a page comes back with an error summary, move focus to it so screen
// reader and keyboard users hear what went wrong first.
const summary = document.querySelector("[data-error-summary]")
if (summary) summary.focus()
