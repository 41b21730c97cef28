"""Phrase-level matching data (issue 14): data only, read by domain/matching.py.

Real department names are longer than the playbook's: "Enterprise Sales EMEA", "Talent Acquisition
Program", "Customer Success Operations". domain/matching.py reads these tables; each is data with
the reason it holds, so a wrong call is fixed here and not in code.
"""

from __future__ import annotations

from dataclasses import dataclass

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
