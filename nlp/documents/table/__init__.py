"""The learned text-table reader: cells → cell roles (CRF) → indicator rows.

Modules, in pipeline order: `columns` (header title → column role, from nlp/data/table_headers.tsv),
`tokens` (any text table → cells with line and position, and the separator found), `features`
(what the CRF sees of a cell), `roles` (the CRF cell-role model: train, save, load, tag), `labels`
(role labels derived by aligning labeled rows back onto the cells), `decode` (roles → indicator
rows → Document), `evaluate` (leave-one-file-out row recall against the rule-based reader).
"""

from nlp.documents.table.columns import column_role

__all__ = ["column_role"]
