// The section editor: django-prose-editor's Tiptap build on the section's textarea, a live word
// count, and autosave (htmx posts the form when this script says "autosave"). The review page
// uses it too, for the local area's reflections (no word count there, but the same autosave).
//
// django-prose-editor's own widget loads its modules through an inline import map and lets Tiptap
// inject an inline <style>; our Content Security Policy allows neither. So this module imports the
// editor bundle by its static path and creates the editor itself with `injectCSS: false` (the base
// styles are in css/authoring.css). Without JavaScript the textarea is a plain form field.
import {
  Blockquote,
  Bold,
  BulletList,
  Document,
  Editor,
  Extension,
  HardBreak,
  Heading,
  History,
  Italic,
  Link,
  ListItem,
  Mark,
  Menu,
  OrderedList,
  Paragraph,
  Table,
  TableCell,
  TableHeader,
  TableRow,
  Text,
} from "../django_prose_editor/editor.js"

// Keeping unsaved text and watching the session: unsaved-text.js, loaded by base.html.
const { afterSigningIn, checkSession, keepText, putBackMessage, sendWhenSignedIn } =
  window.tceUnsavedText

const AUTOSAVE_AFTER_MS = 1000

// Footnotes live inline as <span class="footnote">; without this mark the editor would drop the
// span and a footnote would silently become body text.
const Footnote = Mark.create({
  name: "footnote",
  excludes: "",
  parseHTML() {
    return [{ tag: "span.footnote" }]
  },
  renderHTML() {
    return ["span", { class: "footnote" }, 0]
  },
})

// The toolbar: only what the server keeps (see reports/richtext.py), with plain-English names.
const Toolbar = Extension.create({
  name: "tceToolbar",
  addMenuItems({ menu, buttons }) {
    const item = (name, groups, button, command, active = () => false, more = {}) => {
      const enabled = more.enabled || (() => true)
      menu.defineItem({
        name,
        groups,
        button,
        command,
        active,
        ...more,
        // Say so to assistive technology too (and so that contrast checks skip it): the menu
        // itself only greys a button out with a class.
        update: (editor) => {
          button.setAttribute("aria-disabled", String(!enabled(editor)))
          button.setAttribute("aria-pressed", String(Boolean(active(editor))))
        },
      })
    }
    item(
      "heading3",
      "blocks",
      buttons.text("Heading", "Heading"),
      (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
      (e) => e.isActive("heading", { level: 3 }),
    )
    item(
      "heading4",
      "blocks",
      buttons.text("Sub-heading", "Sub-heading"),
      (e) => e.chain().focus().toggleHeading({ level: 4 }).run(),
      (e) => e.isActive("heading", { level: 4 }),
    )
    item(
      "bulletList",
      "lists",
      buttons.material("format_list_bulleted", "Bulleted list"),
      (e) => e.chain().focus().toggleBulletList().run(),
      (e) => e.isActive("bulletList"),
    )
    item(
      "orderedList",
      "lists",
      buttons.material("format_list_numbered", "Numbered list"),
      (e) => e.chain().focus().toggleOrderedList().run(),
      (e) => e.isActive("orderedList"),
    )
    item(
      "blockquote",
      "lists",
      buttons.material("format_quote", "Quotation"),
      (e) => e.chain().focus().toggleBlockquote().run(),
      (e) => e.isActive("blockquote"),
    )
    item(
      "bold",
      "marks",
      buttons.material("format_bold", "Bold"),
      (e) => e.chain().focus().toggleBold().run(),
      (e) => e.isActive("bold"),
    )
    item(
      "italic",
      "marks",
      buttons.material("format_italic", "Italic"),
      (e) => e.chain().focus().toggleItalic().run(),
      (e) => e.isActive("italic"),
    )
    item(
      "footnote",
      "marks",
      buttons.text("Footnote", "Footnote (select its text first)"),
      (e) => e.chain().focus().toggleMark("footnote").run(),
      (e) => e.isActive("footnote"),
    )
    item(
      "link",
      "link",
      buttons.material("insert_link", "Link (select the linked text first)"),
      (e) => e.chain().addLink().focus().run(),
      (e) => e.isActive("link"),
      { enabled: (e) => !e.state.selection.empty || e.isActive("link") },
    )
    item(
      "unlink",
      "link",
      buttons.material("link_off", "Remove link"),
      (e) => e.chain().focus().unsetLink().run(),
      () => false,
      { hidden: (e) => !e.isActive("link") },
    )
    item("undo", "history", buttons.material("undo", "Undo"), (e) => e.commands.undo())
    item("redo", "history", buttons.material("redo", "Redo"), (e) => e.commands.redo())
  },
})

// Word marks its lists as paragraphs ("MsoListParagraph", style "mso-list:l0 level1") with the
// bullet or number as text; turn them into real lists, and map headings to the levels a
// section uses (h3, h4) before the editor reads the pasted HTML.
const ORDERED_MARKER = /^\s*\(?([0-9]+|[a-z]|[ivxlc]+)[.)]\s+/i
const BULLET_MARKER = /^\s*[·•▪◦o§\-–]\s+/

function wordListLevel(p) {
  const style = p.getAttribute("style") || ""
  if (!/mso-list:\s*l\d/i.test(style) && !/^MsoListParagraph/i.test(p.className)) return 0
  return Number((style.match(/level(\d+)/i) || [0, 1])[1])
}

// Word's footnotes and endnotes: a call <a href="#_ftn1">[1]</a> in the text, and the note at
// the end in an element holding <a name="_ftn1"> (or id="ftn1"). The portal keeps a footnote
// inline where it is called, as <span class="footnote">.
const NOTE_CALL = /^#_(ftn|edn)(\d+)$/

function noteBody(doc, kind, number) {
  const backLink =
    doc.querySelector(`a[name="_${kind}ref${number}"]`) ||
    doc.querySelector(`a[href="#_${kind}ref${number}"]`)
  const holder =
    doc.getElementById(`${kind}${number}`) || backLink?.closest("p, div") || null
  return { holder, backLink }
}

function wordFootnotesInline(doc) {
  for (const call of [...doc.querySelectorAll("a[href]")]) {
    const match = NOTE_CALL.exec(call.getAttribute("href") || "")
    if (!match) continue
    const [, kind, number] = match
    const { holder, backLink } = noteBody(doc, kind, number)
    if (!holder) continue
    const copy = holder.cloneNode(true)
    for (const back of copy.querySelectorAll(`a[href="#_${kind}ref${number}"], a[name="_${kind}ref${number}"]`)) {
      back.remove()
    }
    const text = copy.textContent.replace(/^\s*\[?\d+\]?\s*/, "").replace(/\s+/g, " ").trim()
    if (!text) continue
    const note = doc.createElement("span")
    note.className = "footnote"
    note.textContent = text
    call.replaceWith(note)
    holder.remove()
    backLink?.remove()
  }
  // Word's separator line above the notes.
  for (const rule of doc.querySelectorAll("hr")) rule.remove()
}

// Tables keep their rows and cells; the first row becomes the header row when it has no header.
function simpleTables(doc) {
  for (const table of doc.querySelectorAll("table")) {
    const firstRow = table.querySelector("tr")
    if (firstRow && !firstRow.querySelector("th")) {
      for (const cell of [...firstRow.querySelectorAll("td")]) {
        const header = doc.createElement("th")
        header.append(...cell.childNodes)
        for (const name of ["colspan", "rowspan"]) {
          if (cell.hasAttribute(name)) header.setAttribute(name, cell.getAttribute(name))
        }
        cell.replaceWith(header)
      }
    }
  }
}

// Word leaves empty paragraphs where people pressed Enter twice: they are not text.
function withoutEmptyParagraphs(doc) {
  for (const p of [...doc.querySelectorAll("p")]) {
    if (!p.textContent.replace(/\u00a0/g, " ").trim()) p.remove()
  }
}

export function cleanPastedHTML(html) {
  const doc = new DOMParser().parseFromString(html, "text/html")
  wordFootnotesInline(doc)
  simpleTables(doc)
  withoutEmptyParagraphs(doc)
  for (const heading of doc.body.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(heading.tagName[1]) <= 3 ? 3 : 4
    if (Number(heading.tagName[1]) !== level) {
      const replacement = doc.createElement(`h${level}`)
      replacement.append(...heading.childNodes)
      heading.replaceWith(replacement)
    }
  }
  let stack = [] // the open lists, outermost first
  for (const p of doc.body.querySelectorAll("p")) {
    const level = wordListLevel(p)
    if (!level) {
      stack = []
      continue
    }
    if (!stack.length || p.previousElementSibling !== stack[0]) stack = []
    // Word's marker is a span styled "mso-list:Ignore", or else the paragraph's first characters.
    const ignored = [...p.querySelectorAll('[style*="mso-list"]')]
    const markerText = ignored.length ? `${ignored.map((s) => s.textContent).join("")} ` : p.textContent
    const ordered = ORDERED_MARKER.test(markerText)
    if (ignored.length) {
      for (const span of ignored) span.remove()
    } else {
      const first = doc.createTreeWalker(p, NodeFilter.SHOW_TEXT).nextNode()
      if (first) first.textContent = first.textContent.replace(ordered ? ORDERED_MARKER : BULLET_MARKER, "")
    }
    stack = stack.slice(0, level)
    while (stack.length < level) {
      const list = doc.createElement(ordered ? "ol" : "ul")
      if (stack.length) {
        const parent = stack[stack.length - 1]
        ;(parent.lastElementChild || parent).append(list)
      } else {
        p.before(list)
      }
      stack.push(list)
    }
    const item = doc.createElement("li")
    item.append(...p.childNodes)
    stack[stack.length - 1].append(item)
    p.remove()
  }
  return doc.body.innerHTML
}

function countWords(text) {
  return text.trim().split(/\s+/).filter(Boolean).length
}

function setUpWordCount(editor) {
  const visible = document.querySelector("[data-word-count]")
  const announcement = document.getElementById("word-count-announcement")
  if (!visible) return
  let timer
  const update = () => {
    const words = countWords(editor.getText({ blockSeparator: " " }))
    const text = `${words} word${words === 1 ? "" : "s"}`
    visible.textContent = text
    // Screen readers hear the count once typing pauses, not on every key.
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (announcement) announcement.textContent = `${text} so far`
    }, 2000)
  }
  editor.on("update", update)
}

function setUpAutosave(form, editor, textarea) {
  if (!form.hasAttribute("data-autosave")) return
  // data-save-state: "saved", "unsaved" (changes wait for the next autosave), "saving" or
  // "not-saved" (the server refused: a conflict, or the report can no longer be changed).
  // data-save-status names the form's own status line (a page may have several forms).
  let timer = null
  const state = (value) => {
    form.dataset.saveState = value
  }
  const save = () => {
    clearTimeout(timer)
    timer = null
    form.dispatchEvent(new CustomEvent("autosave"))
  }
  state("saved")
  const status = document.getElementById(form.dataset.saveStatus)
  if (status && !status.textContent.trim()) status.textContent = "Your text is saved as you type."
  editor.on("update", () => {
    if (form.dataset.saveState !== "not-saved") state("unsaved")
    clearTimeout(timer)
    timer = setTimeout(save, AUTOSAVE_AFTER_MS)
  })
  editor.on("blur", () => {
    if (timer) save()
  })
  for (const radio of form.querySelectorAll('input[name="completed"]')) {
    radio.addEventListener("change", () => {
      state("unsaved")
      save()
    })
  }
  form.addEventListener("htmx:beforeRequest", () => {
    if (form.dataset.saveState !== "not-saved") state("saving")
  })
  const notSaved = (text) => {
    if (status) status.textContent = text
  }
  // An answer without the save header is not ours to show: a sign-in page or a refused token
  // (the session ended or changed), or an error page. Find out which: when the person has been
  // signed out, the page asks them to sign in again and saves once they have.
  status?.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.getResponseHeader("X-Section-Save")) return
    event.detail.shouldSwap = false
    notSaved("Not saved yet: checking that you are still signed in. Your text is kept in this browser.")
    checkSession().then((signedIn) => {
      if (signedIn) {
        save() // with the token of the session as it is now
      } else {
        notSaved(
          "Not saved: the portal could not be reached or had a problem. Your text is kept in " +
            "this browser: keep this page open and it will be saved.",
        )
      }
    })
  })
  afterSigningIn(() => {
    if (form.dataset.saveState !== "saved") save()
  })
  form.addEventListener("htmx:sendError", () => {
    notSaved("Not saved: the portal could not be reached. Your text is kept in this browser: keep this page open.")
  })
  // Kept in the browser until the portal says it has it.
  const versionInput = form.querySelector('input[name$="based_on_version"]')
  const kept = keepText(form, textarea, {
    versionInput,
    putBack: (html) => editor.commands.setContent(html),
    onPutBack: (found) => notSaved(putBackMessage(found)),
  })
  form.addEventListener("htmx:afterRequest", (event) => {
    const result = event.detail.xhr.getResponseHeader("X-Section-Save")
    if (!event.detail.successful || result !== "saved") {
      state("not-saved")
    } else if (timer) {
      state("unsaved")
    } else {
      state("saved")
      kept.forget()
    }
  })
  // Before the form goes, make sure it will be accepted: still signed in, with the current
  // token. If not, the text stays here and the form goes once the person has signed in again.
  sendWhenSignedIn(form, {
    before: () => {
      clearTimeout(timer)
      timer = null
      state("submitting")
      notSaved("Saving…")
    },
  })
  window.addEventListener("beforeunload", (event) => {
    if (["unsaved", "saving", "not-saved"].includes(form.dataset.saveState)) {
      event.preventDefault()
    }
  })
}

// The toolbar pattern of the WAI-ARIA Authoring Practices: the toolbar is one tab stop, and the
// arrow keys, Home and End move between its buttons (a "roving" tabindex).
const TOOLBAR_KEYS = {
  ArrowRight: (at, count) => (at + 1) % count,
  ArrowLeft: (at, count) => (at - 1 + count) % count,
  Home: () => 0,
  End: (at, count) => count - 1,
}

function setUpToolbarKeys(element, label) {
  const bar = element.querySelector(".prose-menubar")
  if (!bar) return
  bar.setAttribute("role", "toolbar")
  bar.setAttribute("aria-label", label ? `Formatting: ${label.textContent.trim()}` : "Formatting")
  const buttons = () => [...bar.querySelectorAll("button")].filter((b) => b.offsetParent !== null)
  const makeCurrent = (current) => {
    for (const button of bar.querySelectorAll("button")) button.tabIndex = button === current ? 0 : -1
  }
  makeCurrent(buttons()[0])
  bar.addEventListener("focusin", (event) => {
    if (event.target.matches("button")) makeCurrent(event.target)
  })
  bar.addEventListener("keydown", (event) => {
    const move = TOOLBAR_KEYS[event.key]
    const all = buttons()
    const at = all.indexOf(document.activeElement)
    if (!move || at < 0 || event.altKey || event.ctrlKey || event.metaKey) return
    event.preventDefault()
    const next = all[move(at, all.length)]
    makeCurrent(next)
    next.focus()
  })
}

function createEditor(textarea) {
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  if (label && !label.id) label.id = `${textarea.id}-label`
  // Not every page with an editor counts words (the local area's reflections do not).
  const wordCount = document.getElementById("word-count") ? "word-count" : ""
  const describedBy = [textarea.getAttribute("aria-describedby"), wordCount]
    .filter(Boolean)
    .join(" ")
  const element = document.createElement("div")
  element.className = "prose-editor"
  textarea.before(element)
  element.append(textarea)
  const editor = new Editor({
    element,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      Document,
      Paragraph,
      Text,
      HardBreak,
      Bold,
      Italic,
      Heading.configure({ levels: [3, 4] }),
      BulletList,
      OrderedList,
      ListItem,
      Blockquote,
      Link.configure({ autolink: true, defaultProtocol: "https", enableTarget: false }),
      Footnote,
      Table.configure({ resizable: false }),
      TableRow,
      TableHeader,
      TableCell,
      History,
      Toolbar,
      Menu.configure({
        defaultItems: false,
        groups: [
          { group: "blocks" },
          { group: "lists" },
          { group: "marks" },
          { group: "link" },
          { group: "history" },
        ],
      }),
    ],
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        ...(label ? { "aria-labelledby": label.id } : {}),
        "aria-describedby": describedBy,
        "data-rich-text-editor": "",
      },
      transformPastedHTML: cleanPastedHTML,
    },
    onUpdate({ editor }) {
      const html = editor.getHTML()
      textarea.value = html === "<p></p>" ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })
  // Clicking the label goes to the editor, as it would to the textarea.
  if (label) label.addEventListener("click", () => editor.commands.focus())
  // The menu bar is put in place once the editor has been created.
  editor.on("create", () => setUpToolbarKeys(element, label))
  setUpWordCount(editor)
  setUpAutosave(textarea.form, editor, textarea)
  return editor
}

for (const textarea of document.querySelectorAll("textarea[data-rich-text]")) {
  createEditor(textarea)
}
