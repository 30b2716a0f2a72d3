"""Paste into the rich-text editor as a browser does: a paste event carrying HTML."""

PASTE = """([selector, html]) => {
  const target = document.querySelector(selector)
  const data = new DataTransfer()
  data.setData("text/html", html)
  data.setData("text/plain", "fallback")
  const options = {clipboardData: data, bubbles: true, cancelable: true}
  target.dispatchEvent(new ClipboardEvent("paste", options))
}"""
