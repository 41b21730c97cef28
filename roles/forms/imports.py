"""Forms of the org-chart import: the upload and the column mapping. The service checks the content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from ..services.imports import FIELD_LABELS, MAX_BYTES
from ..services.imports.columns import column_letter

ACCEPT = ".csv,.xlsx,.txt,.tsv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Org chart file",
        allow_empty_file=True,  # the service says "The file is empty." in the same words as everywhere
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "class": "dropzone-input"}),
        error_messages={"required": "Choose a CSV or XLSX file to import."},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Checked before reading: a 2 GB upload must not be loaded into memory to be refused.
        if upload.size > MAX_BYTES:
            size = upload.size / (1024 * 1024)
            raise forms.ValidationError(f"The file is {size:.1f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB.")
        return upload


HELP = {
    "full_name": "Or pick First name and Last name below.",
    "first_name": "Used when the file has no full name column.",
    "last_name": "Joined to the first name.",
    "email": "Required. People are matched by email, ignoring case.",
    "title": "Optional. Without it, existing titles stay as they are.",
    "function": "Required. New functions are created.",
    "category": "Optional. Building, Customer-facing, Cross-functional, Leadership or Partner.",
    "parent": "Optional. The function this one sits inside.",
    "manager": "Optional. The manager's email or name; they must be in the file or the organization.",
}


class ColumnMappingForm(forms.Form):
    """One choice per field: which column of the file holds it (or none)."""

    def __init__(self, *args: Any, headers: Sequence[str], samples: Sequence[Sequence[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —")]
        for index, header in enumerate(headers):
            example = f" — e.g. {samples[index][0][:30]}" if samples[index] else ""
            choices.append((str(index), f"{column_letter(index)} · {header or '(no header)'}{example}"))
        for name, label in FIELD_LABELS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=choices, required=False, coerce=int, empty_value=None, help_text=HELP[name]
            )

    def mapping(self) -> dict[str, int]:
        return {name: column for name, column in self.cleaned_data.items() if column is not None}
