"""The organization side of the domain (DESIGN §2): tenants, members, functions, people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Organization(models.Model):
    class GoToMarket(models.TextChoices):
        PRODUCT_LED = "product_led", "Product-led"
        SALES_LED = "sales_led", "Sales-led"
        HYBRID = "hybrid", "Hybrid"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    go_to_market = models.CharField(max_length=20, choices=GoToMarket.choices, default=GoToMarket.HYBRID)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Access(models.TextChoices):
        ADMIN = "admin", "Admin"
        LEADER = "leader", "Leader"
        STAKEHOLDER = "stakeholder", "Stakeholder"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.STAKEHOLDER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_one_per_user_org"),
        ]
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.access})"


class Function(models.Model):
    class Category(models.TextChoices):
        BUILDING = "building", "Building"
        CUSTOMER_FACING = "customer_facing", "Customer-facing"
        CROSS_FUNCTIONAL = "cross_functional", "Cross-functional"
        LEADERSHIP = "leadership", "Leadership"
        PARTNER = "partner", "Partner"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="functions")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    is_external = models.BooleanField(default=False, help_text="Outside the organization (a channel partner).")
    description = models.TextField(blank=True, max_length=2000)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="function_name_unique_ci"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="function_not_own_parent"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stakeholder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stakeholders")
    # PROTECT: deleting a function must never silently take its people with it.
    function = models.ForeignKey(Function, on_delete=models.PROTECT, related_name="stakeholders")
    full_name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="stakeholders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), "organization", name="stakeholder_email_unique_ci"),
        ]
        indexes = [models.Index(fields=["organization", "function"])]
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name
