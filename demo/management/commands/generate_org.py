"""`manage.py generate_org [--functions 1000] [--people 20000] [--products 10] [--reviews 100000]` (issue 9).

Builds a new, realistic large organization in bulk (see bench/generate/organization.py) to load-test and
profile the app against: every run makes a new one, with its own slug and logins.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.generate.organization import generate_organization
from bench.generate.world import PASSWORD, SNAPSHOTS, Sizes
from wholeproduct.errors import DomainError


class Command(BaseCommand):
    help = "Generate a new large organization (functions, people, products, maps, reviews, web, reports)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Sizes()
        parser.add_argument("--functions", type=int, default=defaults.functions, help="How many functions.")
        parser.add_argument("--people", type=int, default=defaults.people, help="How many people (stakeholders).")
        parser.add_argument("--products", type=int, default=defaults.products, help="How many products.")
        parser.add_argument("--reviews", type=int, default=defaults.reviews, help="How many reviews in all.")
        parser.add_argument("--slug", default="", help="The new organization's slug (default: gen-<time>-<random>).")
        parser.add_argument("--seed", type=int, default=9, help="Seed of the random shape (same seed, same shape).")

    def handle(self, *args: Any, **options: Any) -> None:
        sizes = Sizes(options["functions"], options["people"], options["products"], options["reviews"])
        started = time.perf_counter()
        verbose = options["verbosity"] > 1
        try:
            made = generate_organization(
                sizes=sizes,
                slug=options["slug"] or None,
                seed=options["seed"],
                progress=(lambda line: self.stdout.write(f"  {line}")) if verbose else None,
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        seconds = time.perf_counter() - started
        counts = ", ".join(f"{n:,} {what}" for what, n in made.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {made.organization.slug} in {seconds:.1f} s: {counts}."))
        self.stdout.write(f"{SNAPSHOTS} nightly reports per product. Open /o/{made.organization.slug}/ as:")
        for access, email in made.logins.items():
            self.stdout.write(f"  {access:<12} {email}")
        self.stdout.write(f"Every password is {PASSWORD!r}.")
