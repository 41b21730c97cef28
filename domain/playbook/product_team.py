"""The playbook's Core Product Team, and Security and Legal (DESIGN §3): data only."""

from __future__ import annotations

from .model import (
    AUGMENTED,
    BUILDING,
    CONTRIBUTOR,
    CORE,
    CROSS_FUNCTIONAL,
    EXPECTED,
    HYBRID,
    LEAD,
    PRODUCT_LED,
    PlaybookEntry,
    _rule,
)
from .reasons import _CORE_TEAM, _HYBRID_PM_EXPECTATIONS, _PRODUCT_LED_EXPECTATIONS

PRODUCT_TEAM: tuple[PlaybookEntry, ...] = (
    # --- Building: the Core Product Team -------------------------------------------------------
    PlaybookEntry(
        name="Product Management",
        category=BUILDING,
        description="Owns what the product does and why; leads the Core Product Team.",
        rules=(
            _rule(CORE, LEAD, _CORE_TEAM),
            _rule(EXPECTED, LEAD, _PRODUCT_LED_EXPECTATIONS, PRODUCT_LED),
            _rule(EXPECTED, LEAD, _HYBRID_PM_EXPECTATIONS, HYBRID),
        ),
        aliases=(
            "Product",
            "Product Managers",
            "Product Manager",
            "PM",
            "PMs",
            "Product Mgmt",
            "Product Management Team",
            "Product Strategy",
            "Product Team",
        ),
    ),
    PlaybookEntry(
        name="Product Owners",
        category=BUILDING,
        description="Own the day-to-day care and feeding of the products: backlog, specs, sprints.",
        rules=(
            _rule(
                CORE,
                CONTRIBUTOR,
                "Product owners own the day-to-day care and feeding of the products: sprint planning and backlogs, "
                "functional specifications, working with UX on design and usability, functional testing (004).",
            ),
        ),
        aliases=("Product Owner", "PO", "POs", "Product Ownership"),
        source="004",
    ),
    PlaybookEntry(
        name="UX & Design",
        category=BUILDING,
        description="Designs how the product looks, feels and works for its users.",
        rules=(
            _rule(CORE, CONTRIBUTOR, _CORE_TEAM),
            _rule(EXPECTED, CONTRIBUTOR, _PRODUCT_LED_EXPECTATIONS, PRODUCT_LED),
        ),
        aliases=(
            "Design",
            "Designers",
            "UX Designers",
            "UI Designers",
            "UX",
            "UI",
            "UI/UX",
            "UX/UI",
            "UX Design",
            "User Experience",
            "User Experience Design",
            "Product Design",
            "Product Designers",
            "Interaction Design",
            "UX Research",
            "User Research",
            "Design Team",
        ),
    ),
    PlaybookEntry(
        name="Engineering",
        category=BUILDING,
        description="Builds and runs the product; answers for its quality.",
        rules=(
            _rule(CORE, CONTRIBUTOR, _CORE_TEAM),
            _rule(EXPECTED, CONTRIBUTOR, _PRODUCT_LED_EXPECTATIONS, PRODUCT_LED),
        ),
        aliases=(
            "R&D",
            "Research & Development",
            "Engineering (R&D)",
            "Engineers",
            "Software Engineering",
            "Software Engineers",
            "Software Development",
            "Development",
            "Developers",
            "Dev",
            "Product Development",
            "Product Engineering",
            "Platform Engineering",
            "Platform",
            "Tech",
            "Technology",
            "QA",
            "Quality Assurance",
            "Quality Engineering",
            "Test Engineering",
            "DevOps",
            "SRE",
            "Site Reliability Engineering",
            "Data Engineering",
            "Data Science",
            "Machine Learning",
            "ML",
            "CTO",
        ),
    ),
    PlaybookEntry(
        name="Product Operations",
        category=BUILDING,
        description="Runs the tools, data and practices that make product management effective.",
        rules=(
            _rule(
                CORE,
                CONTRIBUTOR,
                "Product operations establishes and maintains an infrastructure (tools, technology, best practices) "
                "that maximizes the effectiveness of all product management roles (004).",
            ),
        ),
        aliases=("Product Ops", "ProdOps", "Product Operations Team"),
        source="004",
    ),
    PlaybookEntry(
        name="Technical Writing",
        category=BUILDING,
        description="Writes the documentation customers learn the product from.",
        rules=(
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Documentation answers customers' how-to questions and helps them learn how to leverage the product: "
                "value added beyond the software itself (tech writing is a building function of the whole product "
                "web, 003).",
            ),
        ),
        aliases=(
            "Tech Writing",
            "Technical Writers",
            "Tech Writers",
            "Docs",
            "Documentation",
            "Technical Documentation",
            "Technical Communications",
            "Information Development",
        ),
        source="003",
    ),
    # --- Security and Legal: part of what customers expect, in every motion -------------------
    PlaybookEntry(
        name="Security",
        category=BUILDING,
        description="Keeps the product and customers' data safe; answers security reviews.",
        rules=(
            _rule(
                EXPECTED,
                CONTRIBUTOR,
                "Customers expect the product to be secure before they ever use it; security questionnaires and "
                "certifications shape that expectation (security is a building function of the whole product web, "
                "003).",
            ),
        ),
        aliases=(
            "InfoSec",
            "Information Security",
            "IT Security",
            "Cybersecurity",
            "Cyber Security",
            "AppSec",
            "Application Security",
            "Product Security",
            "Security Engineering",
            "Security & Compliance",
            "CISO",
        ),
        source="003",
    ),
    PlaybookEntry(
        name="Legal",
        category=CROSS_FUNCTIONAL,
        description="Contracts, terms, privacy and compliance customers rely on.",
        rules=(
            _rule(
                EXPECTED,
                CONTRIBUTOR,
                "Terms, privacy and compliance commitments are part of what customers expect before they buy; legal is "
                "a cross-functional function spanning building and customer-facing ones (003).",
            ),
        ),
        aliases=(
            "Legal & Compliance",
            "Compliance",
            "Legal Affairs",
            "Legal Team",
            "General Counsel",
            "Counsel",
            "Privacy",
            "Contracts",
        ),
        source="003",
    ),
)
