"""The learned text-table reader: cells → cell roles (CRF) → indicator rows.

Modules, in pipeline order: `columns` (header title → column role, from nlp/data/table_headers.tsv),
`tokens` (any text table → cells with line and position, and the separator found; with `runtogether`
the first cut of text without separators, `pages` for pages flattened by document-sharing sites,
`glued` and `ocr` the recut of run-together and OCR text), `features`
(what the CRF sees of a cell), `roles` (the CRF cell-role model: train, save, load, tag), `labels`
(role labels derived by aligning labeled rows back onto the cells), `decode` (roles → indicator
rows → Document; with `row` the row record, `reread` the cells the model left `other` read again,
`trust` the header's columns over the model's roles, `project` the project blocks, `cleanup` fake
names and group headings dropped after decoding), `reader` (the learned reading, or the prose
reading where the text has no table header, whichever is more confident), `evaluate`
(leave-one-file-out row recall, with the rule-based baseline of nlp/baselines/rule_reader.py on the
same folds).
"""

from nlp.documents.table.columns import column_role

__all__ = ["column_role"]
