"""Product pages: the list, create, edit, and the product's own page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from roles.forms.functions import add_domain_error
from roles.permissions import OrgRequest, Perm, org_view
from roles.statecache import DAY
from wholeproduct.errors import DomainError

from ..forms.products import ProductForm
from ..selectors import products as selectors
from ..services import products as services


@org_view(Perm.VIEW, cached=DAY)
@require_GET
def product_list(request: OrgRequest) -> HttpResponse:
    products = selectors.listed_products(request.ctx)
    return render(request, "layers/product_list.html", {"products": products})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def product_create(request: OrgRequest) -> HttpResponse:
    organization = request.ctx.organization
    form = ProductForm(request.POST if request.method == "POST" else None, organization=organization)
    if form.is_bound and form.is_valid():
        try:
            product = services.product_create(organization=organization, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Created {product.name}.")
            return redirect("product-detail", org=organization.slug, product=product.slug)
    return render(request, "layers/product_form.html", {"form": form, "product": None})


@org_view(Perm.EDIT)
@require_http_methods(["GET", "POST"])
def product_edit(request: OrgRequest, product: str) -> HttpResponse:
    item = selectors.product_to_edit(request.ctx, product)
    if item is None:
        raise Http404("No such product.")
    data = request.POST if request.method == "POST" else None
    form = ProductForm(data, organization=item.organization, instance=item)
    if form.is_bound and form.is_valid():
        try:
            services.product_update(product=item, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            item.refresh_from_db()
        else:
            messages.success(request, f"Saved {item.name}.")
            return redirect("product-detail", org=item.organization.slug, product=item.slug)
    return render(request, "layers/product_form.html", {"form": form, "product": item})
