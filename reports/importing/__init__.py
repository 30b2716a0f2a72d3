"""Import: an existing Project Learning Report (Word, PDF, plain text or Markdown) becomes a
proposed draft that a person checks, corrects and accepts.

The pipeline, one small interface at each step:

1. ``readers.read(data, filename) -> ImportedDocument``: the file's type is found from its
   content (never its name), it is checked (size, archive bombs, encryption, external entities)
   and parsed, untrusted formats in a subprocess with memory and time limits, into a flat list of
   ``Block``s (headings, paragraphs, lists, tables, footnotes) of sanitised HTML, with warnings.
   Refusals raise ``ImportRefused`` with a message for the person who uploaded the file.
2. ``mapping.propose(document) -> Proposal``: headings are recognised as the template's sections
   and details fields whatever their wording, case, numbering or styling; nothing is dropped
   (unrecognised text goes to the nearest section, with a warning).
3. ``services.import_draft(proposal, ...)``: creates or updates a draft report from an accepted
   proposal, records the import in the report's history and audit log, and keeps the original
   file in private storage.
"""
