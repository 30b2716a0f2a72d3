// Never lose a word. What someone types in an editor is kept in this browser (localStorage, per
// page, field and version) until the portal confirms it is saved; a page opened again (the Back
// button, a reload, a crash) puts back text that was never saved. When the session has ended (it
// expired, or the person signed out or changed their password in another tab), the page says so
// at once, keeps the text, offers to sign in again in a new tab, and once that is done picks up
// the new CSRF token and saves.
//
// The page gives: <body data-user="42" data-session-url="/accounts/session/"
// data-sign-in-url="/accounts/sign-in/?next=/accounts/signed-in/">. base.html loads this module on
// every page; the section editor uses it through ``window.tceUnsavedText`` (one instance, one
// banner, whatever the static files' hashed names).

const CHECK_EVERY_MS = 60 * 1000
const CHECK_WHILE_SIGNED_OUT_MS = 3 * 1000
const KEEP_FOR_MS = 14 * 24 * 60 * 60 * 1000

const body = document.body
const me = body.dataset.user || ""

function storageKey(form, field) {
  return `tce:unsaved:${me}:${location.pathname}:${field.name}`
}

function read(key) {
  try {
    const kept = JSON.parse(localStorage.getItem(key) || "null")
    if (kept && Date.now() - kept.at < KEEP_FOR_MS) return kept
  } catch {
    // unreadable: treat as nothing kept
  }
  return null
}

function clockTime(ms) {
  return new Date(ms).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })
}

// -- The session ------------------------------------------------------------------------------

let signedOutBanner = null
let checking = null
const whenSignedIn = []

export async function sessionStatus() {
  const response = await fetch(body.dataset.sessionUrl, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
  if (!response.ok) throw new Error(`session status ${response.status}`)
  return response.json()
}

function useToken(token) {
  for (const input of document.querySelectorAll('input[name="csrfmiddlewaretoken"]')) {
    input.value = token
  }
}

function showSignedOut(otherPerson) {
  if (!signedOutBanner) {
    signedOutBanner = document.createElement("div")
    signedOutBanner.className = "alert alert-warning session-ended"
    signedOutBanner.setAttribute("role", "alert")
    document.querySelector("main")?.prepend(signedOutBanner)
  }
  const link = `<a href="${body.dataset.signInUrl}" target="_blank" rel="noopener">Sign in again<span class="visually-hidden"> (opens in a new tab)</span></a>`
  signedOutBanner.innerHTML = otherPerson
    ? `<strong>You are signed in as someone else in another tab.</strong> Nothing on this page can be saved as them. What you typed is kept in this browser: sign out there, then ${link.replace("Sign in again", "sign in as yourself")}.`
    : `<strong>You have been signed out.</strong> What you typed is kept in this browser and nothing is lost. ${link}, then come back to this tab: it saves your text by itself.`
}

function hideSignedOut(message) {
  if (!signedOutBanner) return
  signedOutBanner.className = "alert alert-success session-ended"
  signedOutBanner.textContent = message
}

// Ask whether the person is still signed in; while they are not, keep asking, and once they are
// again, give every waiting editor the new token.
export function checkSession() {
  if (!body.dataset.sessionUrl || !me) return Promise.resolve(true)
  if (checking) return checking
  checking = (async () => {
    for (;;) {
      let status = null
      try {
        status = await sessionStatus()
      } catch {
        return false // the portal cannot be reached: the editors say so themselves
      }
      if (status.signed_in && String(status.user) === me) {
        useToken(status.csrf_token)
        if (signedOutBanner) {
          hideSignedOut("You are signed in again. Your text is being saved.")
          for (const callback of whenSignedIn.splice(0)) callback()
        }
        return true
      }
      showSignedOut(status.signed_in)
      await new Promise((resolve) => setTimeout(resolve, CHECK_WHILE_SIGNED_OUT_MS))
    }
  })()
  checking.finally(() => {
    checking = null
  })
  return checking
}

export function afterSigningIn(callback) {
  whenSignedIn.push(callback)
}

// Find out before the person presses anything: now and then, and when they come back to the tab.
if (body.dataset.sessionUrl && me) {
  setInterval(checkSession, CHECK_EVERY_MS)
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") checkSession()
  })
}

// -- The text ---------------------------------------------------------------------------------

// Keep ``field``'s value (an editor's HTML or a plain textarea) in this browser until saved.
// ``versionInput`` is the hidden input of the version the text is based on (if any): text put
// back is saved over that version, so the portal still refuses it when someone saved since.
export function keepText(form, field, { versionInput = null, putBack, onPutBack } = {}) {
  const key = storageKey(form, field)
  const keep = () => {
    localStorage.setItem(
      key,
      JSON.stringify({ html: field.value, version: versionInput?.value ?? null, at: Date.now() }),
    )
  }
  const forget = () => localStorage.removeItem(key)
  const kept = read(key)
  if (kept && kept.html !== field.value && kept.html.trim()) {
    if (versionInput && kept.version !== null) versionInput.value = kept.version
    putBack(kept.html)
    onPutBack?.(kept)
  } else if (kept) {
    forget() // the portal has it
  }
  field.addEventListener("input", keep)
  return { keep, forget }
}

export function putBackMessage(kept) {
  return `Your text from ${clockTime(kept.at)} that had not been saved is back. It is being saved now.`
}

// Before ``form`` goes, make sure it will be accepted: still signed in, with the current token.
// If not, its text stays here and it goes once the person has signed in again.
export function sendWhenSignedIn(form, { before } = {}) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.sessionChecked === "yes") return
    event.preventDefault()
    // A second click while the first is being checked: the first one goes, this one does not.
    if (form.dataset.sessionChecking === "yes") return
    form.dataset.sessionChecking = "yes"
    before?.()
    await checkSession()
    // A task later, not a microtask: while this submit event is still being fired, the browser
    // ignores a new submission of the same form.
    await new Promise((resolve) => setTimeout(resolve))
    form.dataset.sessionChecked = "yes"
    form.requestSubmit(event.submitter || undefined)
  })
}

// Plain text boxes of long text (a comment, a request for changes, a reason): kept in the
// browser while they are typed, put back if the page is opened again before they were sent.
for (const field of document.querySelectorAll("textarea[data-keep-text]")) {
  const form = field.form
  if (!form) continue
  let typed = false
  const kept = keepText(form, field, {
    putBack: (text) => {
      field.value = text
      typed = true
    },
    onPutBack: (found) => {
      const note = document.createElement("p")
      note.className = "form-text kept-text-note"
      note.setAttribute("role", "status")
      note.textContent = `Your text from ${clockTime(found.at)} that had not been sent is back.`
      field.after(note)
    },
  })
  field.addEventListener("input", () => {
    typed = true
  })
  sendWhenSignedIn(form, {
    before: () => {
      typed = false
      kept.forget()
    },
  })
  window.addEventListener("beforeunload", (event) => {
    if (typed && field.value.trim()) event.preventDefault()
  })
}

window.tceUnsavedText = { afterSigningIn, checkSession, keepText, putBackMessage, sendWhenSignedIn }
