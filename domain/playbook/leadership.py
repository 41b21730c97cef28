"""The playbook's leadership, cross-functional and partner functions (DESIGN §3): data only."""

from __future__ import annotations

from .model import (
    CONTRIBUTOR,
    CROSS_FUNCTIONAL,
    LEAD,
    LEADERSHIP,
    PARTNER,
    POTENTIAL,
    PlaybookEntry,
    _rule,
)

LEADERSHIP_AND_PARTNERS: tuple[PlaybookEntry, ...] = (
    # --- Leadership and cross-functional: the Potential product -------------------------------
    PlaybookEntry(
        name="CEO",
        category=LEADERSHIP,
        description="The chief executive and the executive team around them.",
        rules=(
            _rule(
                POTENTIAL,
                LEAD,
                "The CEO communicates relentlessly about the better future based on where the product and business "
                "are going. Prospects want to be on this ride.",
            ),
        ),
        aliases=(
            "Chief Executive Officer",
            "Chief Executive",
            "Office of the CEO",
            "Founder",
            "Founders",
            "Co-founders",
            "Founding Team",
            "Exec",
            "Exec Team",
            "Execs",
            "Executives",
            "Executive Team",
            "Executive Leadership",
            "Executive Leadership Team",
            "ELT",
            "SLT",
            "Senior Leadership",
            "Senior Leadership Team",
            "Leadership Team",
            "Management Team",
            "C-suite",
            "C-level",
            "Managing Director",
            "General Manager",
            "President",
        ),
    ),
    PlaybookEntry(
        name="Board of Directors",
        category=LEADERSHIP,
        description="Guides the company through obstacles toward optimal investment decisions.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Especially in startups, the Board guides the organization through obstacles and toward optimal "
                "investment decisions; done well, outcomes for the company are aligned with those for customers.",
            ),
        ),
        aliases=("Board", "The Board", "Directors Board", "Advisory Board", "Board of Advisors", "Advisors"),
    ),
    PlaybookEntry(
        name="Corporate Marketing",
        category=CROSS_FUNCTIONAL,
        description="Brand, demand generation and analyst relations: the pipeline of the right customers.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Corporate Marketing builds a pipeline of the right type of customers; keeping focus in messaging "
                "ensures product investments don't splinter, and analyst relationships bring market insights back.",
            ),
        ),
        aliases=(
            "Marketing",
            "Brand",
            "Brand Marketing",
            "Demand Generation",
            "Demand Gen",
            "Growth Marketing",
            "Digital Marketing",
            "Field Marketing",
            "Performance Marketing",
            "Marketing Communications",
            "MarCom",
            "MarComms",
            "Communications",
            "Comms",
            "Corporate Communications",
            "PR",
            "Public Relations",
            "Analyst Relations",
            "Marketing Operations",
            "CMO",
        ),
    ),
    PlaybookEntry(
        name="HR / People",
        category=CROSS_FUNCTIONAL,
        description="Gets the right team together and builds an innovative product culture.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "HR is all about getting the right team together and helping build an innovative product culture: "
                "critical to ensuring the future can be continuously brighter for existing customers.",
            ),
        ),
        aliases=(
            "HR",
            "Human Resources",
            "People",
            "People Ops",
            "People Operations",
            "People & Culture",
            "People and Talent",
            "Talent",
            "Talent Acquisition",
            "Talent Management",
            "Recruiting",
            "Recruitment",
            "Learning & Development",
            "L&D",
            "CHRO",
        ),
    ),
    PlaybookEntry(
        name="Practice Directors",
        category=LEADERSHIP,
        description="Authorities on the business practices of target customers; set vision in customer outcomes.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Practice directors establish the vision and strategic direction for the products that support their "
                "customer functions, defined first in terms of customer outcomes and business priorities (004).",
            ),
        ),
        aliases=(
            "Practice Director",
            "Business Practice Directors",
            "Practice Leads",
            "Practice Leaders",
            "Practice Management",
        ),
        source="004",
    ),
    PlaybookEntry(
        name="Directors & VPs of Product",
        category=LEADERSHIP,
        description="Portfolio managers of the product organization.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Directors and VPs of product are portfolio managers: they keep the collective priorities across all "
                "products in sync on improving customer outcomes and the market value of the portfolio (004).",
            ),
        ),
        aliases=(
            "Product Directors",
            "Directors of Product",
            "Director of Product",
            "Product Leadership",
            "Product Leaders",
            "Head of Product",
            "VP Product",
            "VP of Product",
            "VPs of Product",
            "SVP Product",
            "CPO",
            "Chief Product Officer",
            "Portfolio Management",
            "Product Portfolio Management",
        ),
        source="004",
    ),
    PlaybookEntry(
        name="Finance",
        category=CROSS_FUNCTIONAL,
        description="Funds the product's future and keeps it financially viable.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Finance spans building and customer-facing functions (003) and shapes the investment and financial "
                "viability behind what the product can become (004).",
            ),
        ),
        aliases=(
            "Finance & Accounting",
            "Accounting",
            "FP&A",
            "Financial Planning & Analysis",
            "Financial Planning",
            "Controlling",
            "Treasury",
            "CFO",
        ),
        source="003",
    ),
    # --- External partners: pass-through value ------------------------------------------------
    PlaybookEntry(
        name="Channel Partners",
        category=PARTNER,
        description="Resellers and service partners who supply value-added services and support.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Channel partners supply critical value-added services and support: through the right external "
                "parties, customers gain significant pass-through value in the product.",
            ),
        ),
        aliases=(
            "Channel",
            "Channel Partner",
            "Resellers",
            "Value-Added Resellers",
            "VAR",
            "VARs",
            "Distributors",
            "Distribution Partners",
            "Systems Integrators",
            "System Integrators",
            "SI Partners",
            "SIs",
            "Implementation Partners",
            "Consulting Partners",
            "Service Partners",
            "MSP",
            "MSPs",
            "Managed Service Providers",
        ),
        is_external=True,
    ),
    PlaybookEntry(
        name="Data & Technology Partners",
        category=PARTNER,
        description="Data providers and technology vendors that enable the product to provide greater value.",
        rules=(
            _rule(
                POTENTIAL,
                CONTRIBUTOR,
                "Data and technology partners enable your product to provide greater value: customers gain "
                "significant pass-through value in the product in a seamless manner.",
            ),
        ),
        aliases=(
            "Technology Partners",
            "Tech Partners",
            "Data Partners",
            "Data Providers",
            "Data Vendors",
            "ISV Partners",
            "ISVs",
            "ISV",
            "Integration Partners",
            "Marketplace Partners",
            "OEM Partners",
            "Cloud Partners",
        ),
        is_external=True,
    ),
)
