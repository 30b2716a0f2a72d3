"""The report as a PDF: the document, its background rendering and storage, downloads and
compendiums."""
