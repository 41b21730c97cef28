"""The playbook's customer-facing functions: the Augmented Product Team (DESIGN §3): data only."""

from __future__ import annotations

from .model import (
    AUGMENTED,
    CONTRIBUTOR,
    CUSTOMER_FACING,
    EXPECTED,
    HYBRID,
    LEAD,
    SALES_LED,
    PlaybookEntry,
    _rule,
)
from .reasons import _SALES_EXPECTATIONS

CUSTOMER_FACING_TEAM: tuple[PlaybookEntry, ...] = (
    # --- Customer-facing: the Augmented Product Team -----------------------------------------
    PlaybookEntry(
        name="Sales & Account Management",
        category=CUSTOMER_FACING,
        description="Sells the product and manages customer accounts.",
        rules=(
            _rule(EXPECTED, LEAD, _SALES_EXPECTATIONS, SALES_LED),
            _rule(EXPECTED, CONTRIBUTOR, _SALES_EXPECTATIONS, HYBRID),
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Sales & Account Management help customers see potential business value from leveraging the product "
                "and understand what the experience will be like working with your organization.",
            ),
        ),
        aliases=(
            "Sales",
            "Sales Team",
            "Account Management",
            "Account Managers",
            "Account Executives",
            "AE",
            "AEs",
            "Sales and Account Management",
            "Inside Sales",
            "Field Sales",
            "Enterprise Sales",
            "Commercial Sales",
            "SMB Sales",
            "Mid-Market Sales",
            "Direct Sales",
            "Key Accounts",
            "Key Account Management",
            "Strategic Accounts",
            "Sales Development",
            "SDR",
            "SDRs",
            "BDR",
            "BDRs",
            "Revenue",
            "CRO",
        ),
    ),
    PlaybookEntry(
        name="Business Development",
        category=CUSTOMER_FACING,
        description="Builds the solution partnerships that extend the product's value proposition.",
        rules=(
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Business Development is charged with solution partnerships that extend the value proposition of the "
                "product: added valuable features or a lower cost of integrated solutions.",
            ),
        ),
        aliases=(
            "BD",
            "BizDev",
            "Biz Dev",
            "Partnerships",
            "Partner Management",
            "Partner Team",
            "Strategic Partnerships",
            "Alliances",
            "Strategic Alliances",
            "Corporate Development",
            "Partner Success",
        ),
    ),
    PlaybookEntry(
        name="Product Marketing",
        category=CUSTOMER_FACING,
        description="Positions the product and helps customers envision where they get value.",
        rules=(
            _rule(EXPECTED, CONTRIBUTOR, _SALES_EXPECTATIONS, SALES_LED, HYBRID),
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Like sales, PMM may help customers envision where they can get value. Through content marketing, "
                "events, and community management, customers can learn how to leverage the product.",
            ),
        ),
        aliases=(
            "PMM",
            "PMMs",
            "Product Marketing Management",
            "Product Marketing Managers",
            "Developer Relations",
            "DevRel",
            "Developer Advocacy",
            "Developer Marketing",
            "Community",
            "Community Management",
            "Content Marketing",
            "Solutions Marketing",
            "Go-to-Market",
            "GTM",
        ),
    ),
    PlaybookEntry(
        name="Customer Success",
        category=CUSTOMER_FACING,
        description="Onboards, trains and guides customers to the value they bought.",
        rules=(
            _rule(
                AUGMENTED,
                LEAD,
                "Whether assisting with on-boarding, training, or answering how-to questions in support, many "
                "products are nearly worthless without this value add.",
            ),
        ),
        aliases=(
            "CS",
            "CSM",
            "CSMs",
            "Customer Success Management",
            "Customer Success Managers",
            "Customer Success Engineering",
            "Customer Success Engineers",
            "Onboarding",
            "Customer Onboarding",
            "Implementation",
            "Implementations",
            "Professional Services",
            "Services",
            "Training",
            "Customer Training",
            "Customer Education",
            "Customer Experience",
            "CX",
            "Client Services",
            "Client Success",
            # A combined team is led by its success half: CS leads the Augmented layer (000_…).
            "Customer Success & Support",
            "Success & Support",
            "Support & Success",
        ),
    ),
    PlaybookEntry(
        name="Customer Support",
        category=CUSTOMER_FACING,
        description="Answers customers' questions and fixes their problems.",
        rules=(
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Answering how-to questions in support is part of the value add without which many products are "
                "nearly worthless.",
            ),
        ),
        aliases=(
            "Support",
            "Technical Support",
            "Tech Support",
            "Product Support",
            "Support Engineering",
            "Customer Care",
            "Customer Service",
            "Customer Services",
            "Helpdesk",
            "Help Desk",
        ),
    ),
    PlaybookEntry(
        name="Pre-sales / Solutions Engineering",
        category=CUSTOMER_FACING,
        description="Demos, proofs of concept and solution design with prospects.",
        rules=(
            _rule(
                EXPECTED,
                CONTRIBUTOR,
                "Pre-sales engineers evangelize, build solutions around the product and configure it for the "
                "customer's context (001): in a sales-led motion they set what prospects expect before they use it.",
                SALES_LED,
            ),
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Sales should have product pre-sales engineers, able to evangelize, build solutions around the product "
                "or configure it perfectly for the customers' context (001).",
            ),
        ),
        aliases=(
            "Pre-sales",
            "Presales",
            "Solutions Engineering",
            "Solution Engineering",
            "Solutions Engineers",
            "Sales Engineering",
            "Sales Engineers",
            "Solutions Consulting",
            "Solution Consultants",
            "Solutions Architects",
            "Solutions Architecture",
            "Technical Sales",
            "Pre-sales Engineering",
        ),
        source="001",
    ),
    PlaybookEntry(
        name="Subject Matter Experts",
        category=CUSTOMER_FACING,
        description="Domain experts who advise customers and direct research.",
        rules=(
            _rule(
                AUGMENTED,
                CONTRIBUTOR,
                "Subject Matter Experts' domain expertise helps direct research, advise best practices to customers "
                "and ensure key features are effectively communicated; made available to customers for advice, this "
                "is a clear product value-add.",
            ),
        ),
        aliases=(
            "SME",
            "SMEs",
            "Subject Matter Expert",
            "Domain Experts",
            "Industry Experts",
            "Industry Specialists",
            "Solution Experts",
            "Customer Advisors",
            "Industry Advisors",
        ),
    ),
)
