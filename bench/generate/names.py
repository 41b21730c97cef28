"""The names the generator draws from: team weights, function and product names, people's names
and titles, dispute and disruption texts (data only)."""

from __future__ import annotations

from roles.models import Disruption, Function

# Relative size of a sub-team of each playbook function, and how often one exists.
TEAM_WEIGHT: dict[str, float] = {
    "Engineering": 30,
    "Sales & Account Management": 12,
    "Customer Support": 9,
    "Customer Success": 8,
    "Product Management": 5,
    "UX & Design": 4,
    "Product Marketing": 4,
    "Pre-sales / Solutions Engineering": 4,
    "Corporate Marketing": 3,
    "Security": 2,
    "Business Development": 2,
    "HR / People": 2,
    "Finance": 2,
    "Product Owners": 2,
    "Technical Writing": 1.5,
    "Product Operations": 1,
    "Subject Matter Experts": 1,
    "Channel Partners": 2,
    "Data & Technology Partners": 1.5,
    "Legal": 1,
    "Directors & VPs of Product": 0.5,
    "Practice Directors": 0.5,
    "CEO": 0.2,
    "Board of Directors": 0.1,
}


# A small organization keeps the functions that cover the four layers first.
FIRST_FUNCTIONS = (
    "Product Management",
    "Engineering",
    "Customer Success",
    "CEO",
    "Sales & Account Management",
    "UX & Design",
    "Customer Support",
    "Product Marketing",
    "HR / People",
    "Channel Partners",
)


SUFFIXES = ("", " Team", " Group", " Dept", " Division", " Unit", " Org")


SEGMENTS = (
    "EMEA",
    "North America",
    "APAC",
    "LATAM",
    "DACH",
    "Nordics",
    "UK & Ireland",
    "Japan",
    "Enterprise",
    "Mid-Market",
    "SMB",
    "Public Sector",
    "Healthcare",
    "Financial Services",
    "Payments",
    "Identity",
    "Mobile",
    "Analytics",
    "Integrations",
    "Onboarding",
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PRODUCT_NAMES = (
    "Insights",
    "Connect",
    "Payments",
    "Identity",
    "Mobile",
    "Marketplace",
    "Atlas",
    "Pulse",
    "Ledger",
    "Beacon",
    "Forge",
    "Harbor",
    "Orbit",
    "Relay",
    "Summit",
)


FIRST_NAMES = _words(
    "Ada Alan Amara Ana Arjun Ben Bianca Carlos Chen Chloe Dana David Elena Emeka Eva Farah Felix Grace Hana Hugo "
    "Ines Ivan Jada James Kai Karin Lars Leila Liam Lucia Maya Mei Mohammed Nadia Noah Olga Omar Paula Priya Rafael "
    "Rosa Sam Sara Sofia Tariq Tomas Uma Victor Wen Yara Yusuf Zoe"
)


LAST_NAMES = _words(
    "Abbott Adeyemi Alvarez Andersen Baker Banerjee Becker Brown Carter Castillo Chen Costa Dubois Edwards Eriksen "
    "Fischer Garcia Gupta Hansen Hernandez Ito Jensen Johnson Kaur Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau "
    "Nakamura Nguyen Novak Okafor Oliveira Patel Petrov Quinn Rossi Santos Schmidt Silva Singh Suzuki Tanaka "
    "Walker Wang Weber Yilmaz Zhang"
)


TITLES: dict[str, tuple[str, ...]] = {
    Function.Category.BUILDING: ("Engineer", "Senior Engineer", "Staff Engineer", "Engineering Manager", "Designer"),
    Function.Category.CUSTOMER_FACING: ("Account Executive", "Customer Success Manager", "Support Specialist"),
    Function.Category.CROSS_FUNCTIONAL: ("Specialist", "Manager", "Business Partner", "Analyst"),
    Function.Category.LEADERSHIP: ("Director", "Vice President", "Chief of Staff"),
    Function.Category.PARTNER: ("Partner Manager", "Alliance Lead", "Reseller Contact"),
}


DISPUTES = (
    "We contribute here more than the map says.",
    "This is not our layer: we work on the core.",
    "We lead this in practice; nobody else does it.",
    "Our team stopped doing this after the reorg.",
)


DISRUPTIONS = (
    (Disruption.Kind.REORG, "Customer org merged into one Go-to-Market group", 58),
    (Disruption.Kind.LEADERSHIP_CHANGE, "New VP of Engineering", 41),
    (Disruption.Kind.NEW_HIRES, "Support doubled for the launch", 27),
    (Disruption.Kind.SUSTAINED_PRESSURE, "Quarter-end pressure on Sales", 12),
    (Disruption.Kind.OTHER, "Office move", 4),
)
