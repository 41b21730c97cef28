"""The playbook (DESIGN §3): canonical functions, their aliases, and the layers each gets.

Data, not `if` chains. Every rule carries the sentence of the domain texts that
justifies it: `000_…` (roles → layers) first, `001_…`/`003_…`/`004_…` where they
say more. The go-to-market motion only changes the Expected layer, so an Expected
rule names the motions it applies to; every other rule applies to all of them.

Alias decisions worth knowing (tested in tests/layers/test_matching.py):
- "Marketing" alone → Corporate Marketing. `001_…` describes the Marketing
  department as branding, collateral, events, ads, social media and automation,
  with product marketing managers *inside* it ("Marketing should have their
  product marketing managers"), so a team called just "Marketing" is the
  corporate function; Product Marketing needs its own name ("PMM", "Product Marketing").
- "Developer Relations"/"DevRel"/"Community" → Product Marketing: `000_…` gives
  PMM "content marketing, events, and community management" so that "customers
  can learn how to leverage the product" — exactly developer relations' job.
- "Partnerships"/"Alliances" → Business Development (the internal team that is
  "charged with solution partnerships"); "Resellers"/"Distributors"/"Systems
  Integrators" → Channel Partners; "ISV partners"/"Integration partners" → Data &
  Technology Partners. A bare "Partners" is ambiguous and matches nothing.
- "Head of Product"/"VP of Product"/"CPO" → Directors & VPs of Product, the
  portfolio leaders of `004_…`; the team "Product" → Product Management.
"""

from __future__ import annotations

from dataclasses import dataclass

from layers.models import Assignment, Layer
from roles.models import Function, Organization

CORE, EXPECTED, AUGMENTED, POTENTIAL = (Layer.Key.CORE, Layer.Key.EXPECTED, Layer.Key.AUGMENTED, Layer.Key.POTENTIAL)
LEAD, CONTRIBUTOR = Assignment.Emphasis.LEAD, Assignment.Emphasis.CONTRIBUTOR
BUILDING = Function.Category.BUILDING
CUSTOMER_FACING = Function.Category.CUSTOMER_FACING
CROSS_FUNCTIONAL = Function.Category.CROSS_FUNCTIONAL
LEADERSHIP = Function.Category.LEADERSHIP
PARTNER = Function.Category.PARTNER

PRODUCT_LED = Organization.GoToMarket.PRODUCT_LED
SALES_LED = Organization.GoToMarket.SALES_LED
HYBRID = Organization.GoToMarket.HYBRID
ALL_MOTIONS: frozenset[str] = frozenset(Organization.GoToMarket.values)


@dataclass(frozen=True)
class LayerRule:
    """One layer a playbook function gets, with its emphasis and the text's reason."""

    layer: str  # a Layer.Key value
    emphasis: str  # an Assignment.Emphasis value
    reason: str
    motions: frozenset[str] = ALL_MOTIONS  # the go_to_market values this rule applies to


@dataclass(frozen=True)
class PlaybookEntry:
    name: str
    category: str  # a roles.models.Function.Category value
    description: str  # one line
    rules: tuple[LayerRule, ...]
    aliases: tuple[str, ...] = ()
    is_external: bool = False
    source: str = "000"  # the domain text the entry comes from

    def rules_for(self, go_to_market: str) -> tuple[LayerRule, ...]:
        """The rules that apply under one go-to-market motion, in ring order."""
        return tuple(rule for rule in self.rules if go_to_market in rule.motions)

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _rule(layer: str, emphasis: str, reason: str, *motions: str) -> LayerRule:
    return LayerRule(layer, emphasis, reason, frozenset(motions) if motions else ALL_MOTIONS)


# Reasons shared by several entries (quoted from 000_… unless noted).
_CORE_TEAM = (
    "The Core Product Team (Product Manager, UX Designer and Engineers) is most directly responsible for the "
    "specific functionality of the product, how well it is designed, and its overall quality."
)
_PRODUCT_LED_EXPECTATIONS = (
    "In a product-led motion the product team has a significant role in setting customer expectations for what is "
    "in the product and how it should be expected to work, e.g. for continued use of a freemium or trial."
)
_HYBRID_PM_EXPECTATIONS = (
    "With trials and a sales team side by side, the product team still sets expectations for what is in the product "
    "and how it should work, while Sales and Product Marketing shape them before customers use it."
)
_SALES_EXPECTATIONS = (
    "If the organization is more sales led, the Expected product is also the domain of Sales and Product Marketing: "
    "these teams often shape customer expectations of the product before they get to actually use it."
)

PLAYBOOK: tuple[PlaybookEntry, ...] = (
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

BY_NAME: dict[str, PlaybookEntry] = {entry.name: entry for entry in PLAYBOOK}


@dataclass(frozen=True)
class Motion:
    """The Expected layer under one go-to-market motion, as DESIGN §3 words it."""

    lead: str
    contributors: tuple[str, ...]


def expected_layer(go_to_market: str) -> Motion:
    """Who leads and who contributes to the Expected layer under one motion (derived from the rules)."""
    lead = ""
    contributors: list[str] = []
    for entry in PLAYBOOK:
        for rule in entry.rules_for(go_to_market):
            if rule.layer != EXPECTED:
                continue
            if rule.emphasis == LEAD:
                lead = entry.name
            else:
                contributors.append(entry.name)
    return Motion(lead=lead, contributors=tuple(contributors))


# --- Phrase-level matching data (issue 14) -----------------------------------------------------------
# Real department names are longer than the playbook's: "Enterprise Sales EMEA", "Talent Acquisition
# Program", "Customer Success Operations". layers/matching.py reads these tables; each is data with
# the reason it holds, so a wrong call is fixed here and not in code.

# Words that only say "this is a unit" or "this is where": dropped anywhere in a name. "Office" is one
# ("Sales Office") except in the playbook's own names ("Office of the CEO"), which match first.
NOISE_WORDS: frozenset[str] = frozenset(
    {
        *("team", "group", "program", "programme", "office", "department", "dept", "division", "org"),
        *("organization", "organisation", "function", "unit", "squad", "pod", "guild", "tribe", "crew"),
        *("center", "centre", "hub", "practice area", "global", "worldwide", "international", "regional"),
        *("emea", "apac", "amer", "americas", "latam", "dach", "nordics", "anz", "uk", "us", "na", "eu"),
        *("north", "south", "east", "west", "central", "hq", "small", "core", "new"),
    }
)

# Names of a function's parts, matched inside longer names like the aliases. From the seed texts:
# 000_… gives each function its work ("HR - all about getting the right team together": recruiting,
# compensation and culture are HR; "Customer Success - on-boarding, training … support"; PMM's
# "content marketing, events, and community management"), and 003_… names the same webs.
SUB_DISCIPLINES: dict[str, tuple[str, ...]] = {
    "Engineering": (
        *("Frontend", "Front End", "Backend", "Back End", "Full Stack", "Fullstack", "Infrastructure", "Infra"),
        *("Mobile", "iOS", "Android", "Reliability", "Developer Productivity", "Engineering Productivity"),
        *("Developer Experience", "Release Engineering", "Build", "Cloud Engineering", "Data Platform"),
        *("Architecture", "Embedded", "Firmware", "Hardware", "Quality", "Test Automation", "Performance"),
        *("AI", "Applied AI", "Artificial Intelligence", "Programmers", "Programming", "Software"),
        *("Search", "Code Intelligence", "Cloud", "Operations Engineering", "Research Engineering", "Scalability"),
        *("Database", "Databases", "API", "Integrations Engineering", "Pipeline", "Data Warehouse"),
    ),
    "UX & Design": ("Visual Design", "Design Systems", "Content Design", "UX Writing", "Research"),
    "Product Management": (
        *("Product Analytics", "Analytics", "Growth", "Product Growth", "Monetization", "Pricing"),
        *("Experiments", "Experimentation"),
    ),
    "Product Operations": ("Product Enablement",),
    "Technical Writing": ("Docs Team", "Content Engineering"),
    "Security": (
        *("Trust & Safety", "Security Operations", "SecOps", "Red Team", "Incident Response", "Abuse"),
        *("Vulnerability Management", "Threat Intelligence", "Security Compliance", "Security Assurance"),
    ),
    "Legal": ("Corporate Legal", "Commercial Legal", "Legal Operations", "Regulatory", "Intellectual Property", "IP"),
    "Sales & Account Management": (
        *("Enablement", "Sales Enablement", "Field Enablement", "Revenue Enablement", "Sales Training"),
        *("Field Operations", "Sales Operations", "Sales Ops", "Deal Desk", "Renewals", "Expansion"),
        *("Commercial", "Enterprise", "Mid-Market", "SMB", "Public Sector", "Federal"),
    ),
    "Business Development": ("Partner Enablement", "Partner Operations", "Ecosystem", "Strategic Initiatives"),
    "Product Marketing": (
        *("Developer Advocates", "Developer Education", "Evangelism", "Competitive Intelligence"),
        *("Market Research", "Launch", "Technical Marketing", "Content"),
        "Words & Pictures",  # PostHog: the blog, newsletter and docs art that teach customers the product
    ),
    "Customer Success": (
        *("Customer Enablement", "Customer Operations", "Technical Account Management", "TAM", "TAMs"),
        *("Technical Account Managers", "Account Success", "Technical Success", "Adoption", "Retention"),
        "Customer Advocacy",
        *("Education Services", "Academy", "Certification", "Consulting", "Delivery Services"),
    ),
    "Customer Support": (
        *("Support Operations", "Support Engineers", "Escalations", "Customer Care Team"),
        *("Happiness", "Happiness Engineering", "Customer Champions"),  # Automattic's and Zapier's names
    ),
    "Pre-sales / Solutions Engineering": (
        "Solutions",
        "Sales Architecture",
        "Proof of Concept",
        "Customer Engineering",
    ),
    "CEO": ("Chief of Staff", "Chief of Staff Team", "Strategy & Operations", "CEO Staff", "Founders Office"),
    "Board of Directors": ("Board Relations",),
    "Corporate Marketing": (
        *("Events", "Field Events", "SEO", "Website", "Social", "Social Media", "Lifecycle Marketing"),
        *("Marketing Analytics", "Creative", "Copywriting", "Editorial", "Campaigns", "Partner Marketing"),
        *("Customer Marketing", "Influencer", "Sponsorships", "Media", "Brand Design", "Pipeline Generation"),
    ),
    "HR / People": (
        *("Compensation", "Comp & Benefits", "Benefits", "Total Rewards", "People Business Partners"),
        *("HR Business Partners", "HRBP", "People Partners", "People Analytics", "Employee Experience"),
        *("Employee Relations", "Diversity", "DEI", "Diversity Equity & Inclusion", "Culture"),
        *("Recruiting Operations", "Sourcing", "Talent Brand", "People Operations Team", "Payroll & Benefits"),
        *("Learning", "Onboarding & Learning", "Team Member Relations", "Mobility", "People Connect"),
    ),
    "Finance": (
        *("Payroll", "Tax", "Revenue Accounting", "Billing", "Accounts Payable", "Accounts Receivable"),
        *("Investor Relations", "Corporate Finance", "Audit", "Internal Audit", "Financial Operations"),
        *("Business Operations", "Finance Operations", "Budgeting", "Equity"),
    ),
    "Channel Partners": ("Channel Sales", "Global Channels", "Channels", "Resale", "Distribution"),
    "Data & Technology Partners": ("Data Partnerships", "Technology Partnerships", "Tech Alliances"),
}

# Aliases too general to mean their function inside a longer name ("Financial Services Sales" is
# not Customer Success, "Talent Development" not Engineering). They still match a name that is
# exactly them. "Revenue" spans sales, marketing and success ("Revenue Operations"): by hand.
WHOLE_NAME_ONLY: frozenset[str] = frozenset(
    {
        *("Product", "Services", "Development", "Dev", "Tech", "Technology", "Revenue", "Implementation"),
        *("Implementations", "Training", "Onboarding", "Channel", "Exec", "Execs", "Executives", "Advisors"),
        *("Platform", "PM", "PMs", "AE", "AEs", "CS", "BD", "PR", "PO", "POs", "UI", "ML", "SI", "SIs", "VAR"),
        *("Comms", "Counsel", "Contracts", "Privacy"),
    }
)


@dataclass(frozen=True)
class HardNegative:
    """Work no layer of the seed texts covers: no suggestion, only the closest names as hints."""

    label: str
    phrases: tuple[str, ...]
    hints: tuple[str, ...]
    reason: str


HARD_NEGATIVES: tuple[HardNegative, ...] = (
    HardNegative(
        "IT and internal systems",
        (
            *("IT", "Information Technology", "IT Operations", "IT Ops", "Internal Systems", "Business Technology"),
            *("Business Systems", "Enterprise Applications", "Enterprise Apps", "Corporate IT", "TechOps"),
            *("End User Computing", "Workplace Technology", "Internal Tools", "Service Desk"),
        ),
        ("Engineering", "Security"),
        "IT and internal systems serve the organization, not customers: the seed texts give them no layer.",
    ),
    HardNegative(
        "Facilities and workplace",
        ("Facilities", "Facility", "Workplace", "Workplace Experience", "Real Estate", "Office Services"),
        ("HR / People", "Finance"),
        "Facilities and workplace teams keep the offices running: the seed texts give them no layer.",
    ),
    HardNegative(
        "Executive assistants",
        (
            *("Executive Assistant", "Executive Assistants", "EA", "EAs", "Executive Business Administrators"),
            *("Executive Business Administrator", "EBA", "EBAs", "Executive Support", "Administrative Assistants"),
        ),
        ("CEO",),
        "Executive assistants support leaders' calendars and travel: the seed texts give them no layer.",
    ),
    HardNegative(
        "Office management",
        ("Office Management", "Office Manager", "Office Managers", "Office Admin", "Office Administration"),
        ("HR / People", "Finance"),
        "Office management runs the premises: the seed texts give it no layer.",
    ),
)
