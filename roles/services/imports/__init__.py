"""Org-chart import (issue 3): CSV/XLSX from HR systems into functions and people.

- reading: bytes -> Table (or ImportFileError for a file that cannot be read: encodings, limits)
- columns: which column is which field (recognized from vendors' headers, or chosen)
- names: "Last, First" read in order; departments: labels joining existing functions
- planning: Table + organization -> Plan (per row: create / update / unchanged / error; managers)
- writing: the Plan re-made and written in one transaction (all rows, or the good ones by choice)
- jobs: the web's upload -> preview -> commit flow, inline or on a worker
"""

from .columns import EXPORT_HEADERS, FIELD_LABELS, recognize
from .jobs import (
    BACKGROUND_ROWS,
    choose_columns,
    choose_joins,
    column_samples,
    commit_import,
    job_of,
    jobs_of,
    missing_columns,
    progress_of,
    queue_import,
    rejected_csv,
    rejected_csv_of,
    run_queued_import,
    runs_in_background,
    start_import,
    suggest_columns,
)
from .planning import build_plan
from .reading import MAX_BYTES, MAX_ROWS, ImportFileError, Table, limits, read_table
from .rows import Plan, escape_cell
from .writing import ImportChanged, ImportRejected, import_table

__all__ = [
    "BACKGROUND_ROWS",
    "EXPORT_HEADERS",
    "FIELD_LABELS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportChanged",
    "ImportFileError",
    "ImportRejected",
    "Plan",
    "Table",
    "build_plan",
    "choose_columns",
    "choose_joins",
    "column_samples",
    "commit_import",
    "escape_cell",
    "import_table",
    "job_of",
    "jobs_of",
    "limits",
    "missing_columns",
    "progress_of",
    "queue_import",
    "read_table",
    "recognize",
    "rejected_csv",
    "rejected_csv_of",
    "run_queued_import",
    "runs_in_background",
    "start_import",
    "suggest_columns",
]
