"""Forms of the product pages. They check shape; the services check the domain."""

from __future__ import annotations

from typing import Any

from django import forms

from roles.models import Organization
from roles.pickers import PersonChoiceField
from wholeproduct.text import LONG_TEXT, SHORT_TEXT

from ..models import Product


class ProductForm(forms.Form):
    name = forms.CharField(validators=[SHORT_TEXT], max_length=Product._meta.get_field("name").max_length)
    slug = forms.CharField(
        required=False,
        label="Address",
        max_length=Product._meta.get_field("slug").max_length,
        help_text="Used in links to the product. Leave blank to make it from the name.",
    )
    head = PersonChoiceField(required=False, label="Head of product")
    description = forms.CharField(
        validators=[LONG_TEXT],
        required=False,
        max_length=Product._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, organization: Organization, instance: Product | None = None, **kwargs: Any):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "slug": instance.slug,
                "head": instance.head_id,
                "description": instance.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["head"].for_organization(organization)  # a combobox: no list of every person
        self.fields["slug"].widget.attrs.update({"placeholder": "made from the name", "spellcheck": "false"})
