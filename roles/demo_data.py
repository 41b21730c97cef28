"""The demo organizations loaded by `manage.py seed_demo` (data only, no logic).

Northwind Analytics carries every function of `000_…` ("Everyone has a role in The
Whole Product") plus the building and cross-functional ones of `003_…`'s web;
categories follow DESIGN §3. Contoso Robotics is a small second tenant so
isolation can be seen. Shapes:

- organization: {slug, name, go_to_market}
- functions: [{name, category, is_external, parent (a function name or None), description}]
- people: {function name: [(full_name, title, email), …]}
- products: [{slug, name, description, head (a person's email), map (optional)}] — `map`
  applies the playbook's suggestions once (backdated `days_ago`) and adds reviews: every
  person of a mapped function agrees except every `skip_every`-th (pending), the
  `leave_pending` emails, and the `disputes` [{email, layer, suggested_layer, comment}].
- users: [{email, first_name, last_name, access}] — a user whose email is a
  person's email is linked to that person.
- partnerships (optional): [{a, b (function names), cadence, goal, feedback, checks}] —
  the Whole Product Partnership web of `003_…`; `checks` are the trust readings
  [(days ago, trust, note), …] oldest first, the last one being the current trust.
- disruptions (optional): [{kind, title, note, days_ago, functions (names)}], logged
  through the disruption service so their effects (flags, stale reviews) apply.

Natural keys (matched case-insensitively where the model is): organization slug,
function name, person email, product slug, user email, the pair of a partnership,
the title of a disruption.
"""

from __future__ import annotations

from typing import Any

PASSWORD = "demo"  # noqa: S105 - the published password of the demo logins

NORTHWIND: dict[str, Any] = {
    "organization": {"slug": "northwind", "name": "Northwind Analytics", "go_to_market": "sales_led"},
    "functions": [
        # The Core Product Team: functionality, design, quality.
        {
            "name": "Product Management",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Owns what the product does and why, and rallies the organization around "
            "a clear vision and product strategy for the whole product.",
        },
        {
            "name": "Product Owners",
            "category": "building",
            "is_external": False,
            "parent": "Product Management",
            "description": "Turn the product strategy into well-defined work for the engineering teams, day to day.",
        },
        {
            "name": "UX & Design",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Responsible for how well the product is designed: the experience customers "
            "have directly with the software.",
        },
        {
            "name": "Engineering",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Builds the product's functionality and answers, with Product and Design, "
            "for its overall quality.",
        },
        {
            "name": "Technical Writing",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Documentation, guides and API references that teach customers how to leverage the product.",
        },
        {
            "name": "Security",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Makes the platform trustworthy enough to buy: security reviews, compliance "
            "and the questionnaires customers expect answered.",
        },
        # The Augmented Product Team: value added beyond the software itself.
        {
            "name": "Sales & Account Management",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Helps customers see the potential business value and what working with us is "
            "like, sometimes by connecting prospects with existing customers.",
        },
        {
            "name": "Business Development",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Builds solution partnerships that extend the value proposition where the "
            "company is not investing directly itself.",
        },
        {
            "name": "Product Marketing",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Helps customers envision where they get value through content, events and "
            "community, and keeps tabs on competitor positioning.",
        },
        {
            "name": "Customer Success",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Onboarding, training and how-to help without which the product is nearly "
            "worthless; tells Product about onboarding challenges.",
        },
        {
            "name": "Customer Support",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Answers how-to questions and resolves issues so customers keep getting value "
            "from the product every day.",
        },
        {
            "name": "Subject Matter Experts",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Domain experts between go-to-market, market analysis and product definition "
            "who direct research and advise customers on best practices.",
        },
        # The Whole Product Team: the Potential Product.
        {
            "name": "CEO",
            "category": "leadership",
            "is_external": False,
            "parent": None,
            "description": "The office of the CEO: communicates relentlessly about the better future the "
            "product and business are heading toward.",
        },
        {
            "name": "Board of Directors",
            "category": "leadership",
            "is_external": False,
            "parent": None,
            "description": "Guides the company through obstacles toward investment decisions whose "
            "outcomes align with its customers'.",
        },
        {
            "name": "Corporate Marketing",
            "category": "cross_functional",
            "is_external": False,
            "parent": None,
            "description": "Builds a pipeline of the right customers, keeps messaging focused and brings "
            "industry analysts' insights back to Product.",
        },
        {
            "name": "HR / People",
            "category": "cross_functional",
            "is_external": False,
            "parent": None,
            "description": "Gets the right team together and helps build an innovative product culture.",
        },
        {
            "name": "Legal",
            "category": "cross_functional",
            "is_external": False,
            "parent": None,
            "description": "Contracts, privacy terms and data-processing agreements that customers expect "
            "in place before they sign.",
        },
        {
            "name": "Finance",
            "category": "cross_functional",
            "is_external": False,
            "parent": None,
            "description": "Pricing economics and the investment decisions that fund what the product can become.",
        },
        # Partners: pass-through value from outside the company.
        {
            "name": "Channel Partners",
            "category": "partner",
            "is_external": True,
            "parent": None,
            "description": "Resellers and consultancies that supply critical value-added services and "
            "support to our customers.",
        },
        {
            "name": "Data & Technology Partners",
            "category": "partner",
            "is_external": True,
            "parent": None,
            "description": "Data providers and technology vendors whose integrations let the product "
            "provide greater value.",
        },
    ],
    "people": {
        "Product Management": [
            ("Priya Raman", "VP of Product", "leader@northwind.test"),
            ("Daniel Okafor", "Director of Product, Northwind Insights", "daniel.okafor@northwind.test"),
            ("Mei-Lin Chen", "Group Product Manager, Northwind Connect", "meilin.chen@northwind.test"),
            ("Lucas Moreau", "Senior Product Manager", "lucas.moreau@northwind.test"),
        ],
        "Product Owners": [
            ("Aisha Bello", "Product Owner, Dashboards", "aisha.bello@northwind.test"),
            ("Tomasz Nowak", "Product Owner, Connectors", "tomasz.nowak@northwind.test"),
        ],
        "UX & Design": [
            ("Sofia Alvarez", "Head of Design", "sofia.alvarez@northwind.test"),
            ("Kenji Watanabe", "Senior Product Designer", "kenji.watanabe@northwind.test"),
            ("Grace Mensah", "UX Researcher", "grace.mensah@northwind.test"),
        ],
        "Engineering": [
            ("Rahul Mehta", "VP of Engineering", "rahul.mehta@northwind.test"),
            ("Olivia Bennett", "Engineering Manager, Insights", "olivia.bennett@northwind.test"),
            ("Marcus Johnson", "Engineering Manager, Connect", "marcus.johnson@northwind.test"),
            ("Yuki Tanaka", "Staff Software Engineer", "yuki.tanaka@northwind.test"),
            ("Carlos Mendoza", "Senior Software Engineer", "carlos.mendoza@northwind.test"),
            ("Fatima El Idrissi", "Senior Software Engineer", "fatima.elidrissi@northwind.test"),
            ("Liam O'Connor", "Software Engineer", "liam.oconnor@northwind.test"),
            ("Ananya Iyer", "Data Engineer", "ananya.iyer@northwind.test"),
            ("Emeka Nwosu", "Site Reliability Engineer", "emeka.nwosu@northwind.test"),
            ("Sarah Goldberg", "QA Engineer", "sarah.goldberg@northwind.test"),
        ],
        "Technical Writing": [
            ("Claire Donovan", "Lead Technical Writer", "claire.donovan@northwind.test"),
            ("Mateo Rojas", "Technical Writer, API Docs", "mateo.rojas@northwind.test"),
        ],
        "Security": [
            ("Alexei Volkov", "Head of Security", "alexei.volkov@northwind.test"),
            ("Mariam Haddad", "Security Compliance Analyst", "mariam.haddad@northwind.test"),
        ],
        "Sales & Account Management": [
            ("Michael Brooks", "VP of Sales", "michael.brooks@northwind.test"),
            ("Jessica Nguyen", "Sales Director, North America", "jessica.nguyen@northwind.test"),
            ("Oluwaseun Adeyemi", "Enterprise Account Executive", "seun.adeyemi@northwind.test"),
            ("Elena Petrova", "Account Executive, EMEA", "elena.petrova@northwind.test"),
            ("Ryan Fitzgerald", "Account Manager", "ryan.fitzgerald@northwind.test"),
            ("Camila Souza", "Solutions Engineer", "camila.souza@northwind.test"),
            ("Ahmed Hassan", "Sales Development Representative", "ahmed.hassan@northwind.test"),
        ],
        "Business Development": [
            ("Natalie Kim", "Head of Business Development", "natalie.kim@northwind.test"),
            ("Diego Fernández", "Partnerships Manager", "diego.fernandez@northwind.test"),
        ],
        "Product Marketing": [
            ("Rachel Adler", "Director of Product Marketing", "rachel.adler@northwind.test"),
            ("Samuel Osei", "Product Marketing Manager", "samuel.osei@northwind.test"),
            ("Chloé Dubois", "Community Manager", "chloe.dubois@northwind.test"),
        ],
        "Customer Success": [
            ("Laura Martínez", "VP of Customer Success", "laura.martinez@northwind.test"),
            ("Jordan Taylor", "Customer Success Manager", "stakeholder@northwind.test"),
            ("Nia Williams", "Customer Success Manager", "nia.williams@northwind.test"),
            ("Arjun Patel", "Onboarding Specialist", "arjun.patel@northwind.test"),
        ],
        "Customer Support": [
            ("Kevin Tran", "Support Team Lead", "kevin.tran@northwind.test"),
            ("Amara Okonkwo", "Support Engineer", "amara.okonkwo@northwind.test"),
            ("Pedro Alves", "Support Engineer", "pedro.alves@northwind.test"),
        ],
        "Subject Matter Experts": [
            ("Helen Zhou", "Principal Analytics Advisor", "helen.zhou@northwind.test"),
            ("Victor Lindqvist", "Retail Industry Expert", "victor.lindqvist@northwind.test"),
        ],
        "CEO": [
            ("Catherine Hale", "Chief Executive Officer", "catherine.hale@northwind.test"),
            ("Benjamin Cho", "Chief of Staff", "benjamin.cho@northwind.test"),
        ],
        "Board of Directors": [
            ("Margaret Ellison", "Chair of the Board", "margaret.ellison@northwind.test"),
            ("Rajiv Kapoor", "Board Director, Summit Ventures", "rajiv.kapoor@northwind.test"),
            ("Dominique Laurent", "Independent Board Director", "dominique.laurent@northwind.test"),
        ],
        "Corporate Marketing": [
            ("Isabella Rossi", "VP of Marketing", "isabella.rossi@northwind.test"),
            ("Adaeze Eze", "Analyst Relations Manager", "adaeze.eze@northwind.test"),
        ],
        "HR / People": [
            ("Thandiwe Dlamini", "Head of People", "thandiwe.dlamini@northwind.test"),
            ("Erik Svensson", "Talent Acquisition Partner", "erik.svensson@northwind.test"),
        ],
        "Legal": [
            ("Jonathan Price", "General Counsel", "jonathan.price@northwind.test"),
        ],
        "Finance": [
            ("Sophie Turner", "Chief Financial Officer", "sophie.turner@northwind.test"),
            ("Hiroshi Sato", "FP&A Manager", "hiroshi.sato@northwind.test"),
        ],
        # Partners are people at partner companies, with their own email domains.
        "Channel Partners": [
            ("Gareth Evans", "Partner Principal, Meridian Consulting", "gareth.evans@meridian-consulting.test"),
            ("Lakshmi Narayan", "Alliance Manager, Bluepeak Solutions", "lakshmi.narayan@bluepeak.test"),
        ],
        "Data & Technology Partners": [
            ("Julia Hoffmann", "Partner Manager, Datastream", "julia.hoffmann@datastream.test"),
            ("Kwame Asante", "Integration Architect, CloudLedger", "kwame.asante@cloudledger.test"),
        ],
    },
    "products": [
        {
            "slug": "insights",
            "name": "Northwind Insights",
            "description": "The analytics platform: dashboards, self-serve exploration and scheduled "
            "reports on a governed data model.",
            "head": "daniel.okafor@northwind.test",
            # Mapped from the playbook a month ago and mostly reviewed since; Connect is
            # left unmapped so a newcomer can try "Accept all" in the map editor.
            "map": {
                "days_ago": 30,
                # Every third person of a function has not answered yet (pending), and the
                # demo stakeholder's own reviews are left for them to give.
                "skip_every": 3,
                "leave_pending": ["stakeholder@northwind.test"],
                "disputes": [
                    {
                        "email": "natalie.kim@northwind.test",
                        "layer": "augmented",
                        "suggested_layer": "potential",
                        "comment": "Our solution partnerships are about where the product goes next, "
                        "not only today's value-add: we belong in the Potential product too.",
                    },
                    {
                        "email": "mariam.haddad@northwind.test",
                        "layer": "expected",
                        "suggested_layer": "core",
                        "comment": "Security is built into the core platform, not only an expectation "
                        "we set before customers use it.",
                    },
                ],
            },
        },
        {
            "slug": "connect",
            "name": "Northwind Connect",
            "description": "The integration hub: connectors, pipelines and sync jobs that bring "
            "customers' data into Insights.",
            "head": "meilin.chen@northwind.test",
        },
    ],
    "users": [
        {"email": "admin@northwind.test", "first_name": "Dana", "last_name": "Whitfield", "access": "admin"},
        {"email": "leader@northwind.test", "first_name": "Priya", "last_name": "Raman", "access": "leader"},
        {
            "email": "stakeholder@northwind.test",
            "first_name": "Jordan",
            "last_name": "Taylor",
            "access": "stakeholder",
        },
    ],
    # 003_…'s web. The feedback of Sales, Product Marketing and Customer Success into the core
    # comes from 000_…: "Sales tells us what prospects find critical; PMM keeps tabs on competitor
    # positioning; and CS tells us about on-boarding challenges."
    "partnerships": [
        {
            "a": "Sales & Account Management",
            "b": "Product Management",
            "cadence": "fortnightly",
            "goal": "Win the deals the roadmap is built for.",
            "feedback": "What prospects find critical: the requirements that win or lose deals, "
            "heard first-hand in discovery calls and lost-deal reviews.",
            "checks": [
                (190, 2, "Sales felt the roadmap ignored the deals in flight."),
                (110, 3, "Joint deal reviews started; better, still guarded."),
                (24, 4, "Win/loss readouts every fortnight; both sides prepare."),
            ],
        },
        {
            "a": "Sales & Account Management",
            "b": "Engineering",
            "cadence": "ad_hoc",
            "goal": "Credible technical answers in enterprise deals.",
            "feedback": "Prospects' technical objections and the integrations they ask for before signing.",
            "checks": [(160, 3, "Solutions engineers get answers, slowly."), (104, 2, "Promised features escalated.")],
        },
        {
            "a": "Product Marketing",
            "b": "Product Management",
            "cadence": "fortnightly",
            "goal": "Position every release against the market.",
            "feedback": "Competitor positioning: how rivals pitch against us, and where our message loses.",
            "checks": [(150, 3, "Launch briefs arrive late."), (62, 4, "PMM joins planning."), (12, 4, "")],
        },
        {
            "a": "Product Marketing",
            "b": "UX & Design",
            "cadence": "monthly",
            "goal": "The story and the experience say the same thing.",
            "feedback": "Which screens demo well and which confuse prospects.",
            "checks": [(40, 3, "First shared demo script review.")],
        },
        {
            "a": "Customer Success",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "Every new customer reaches first value within 30 days.",
            "feedback": "On-boarding challenges: where new customers stall, and what they ask for "
            "in their first 90 days.",
            "checks": [(210, 3, ""), (120, 3, "Onboarding survey shared."), (33, 4, "Joint onboarding metrics.")],
        },
        {
            "a": "Customer Success",
            "b": "Engineering",
            "cadence": "monthly",
            "goal": "Fix what blocks onboarding first.",
            "feedback": "Onboarding defects, and the workarounds Customer Success uses meanwhile.",
            "checks": [
                (230, 3, "Weekly defect triage with CS."),
                (131, 2, "Triage dropped during the release crunch; CS escalates through Slack."),
            ],
        },
        {
            "a": "Customer Success",
            "b": "UX & Design",
            "cadence": "monthly",
            "goal": "A first-run experience nobody needs training for.",
            "feedback": "Where new users get lost in setup, from onboarding session recordings.",
            "checks": [(48, 4, "")],
        },
        {
            "a": "Customer Support",
            "b": "Engineering",
            "cadence": "weekly",
            "goal": "Resolve escalations within the SLA.",
            "feedback": "Top support escalations and defect trends by product area.",
            "checks": [(75, 3, ""), (9, 3, "Escalation rota agreed.")],
        },
        {
            "a": "Customer Support",
            "b": "Customer Success",
            "cadence": "weekly",
            "goal": "One voice to the customer.",
            "feedback": "",
            "checks": [(60, 5, ""), (6, 5, "")],
        },
        {
            "a": "Customer Support",
            "b": "Technical Writing",
            "cadence": "monthly",
            "goal": "Answer how-to questions once, in the docs.",
            "feedback": "The how-to questions the docs fail to answer.",
            "checks": [(27, 4, "")],
        },
        {
            "a": "Product Management",
            "b": "Engineering",
            "cadence": "weekly",
            "goal": "Ship the right thing, well.",
            "feedback": "",
            "checks": [(95, 4, ""), (14, 5, "")],
        },
        {
            "a": "Product Management",
            "b": "UX & Design",
            "cadence": "weekly",
            "goal": "Decide with evidence from users.",
            "feedback": "",
            "checks": [(14, 5, "")],
        },
        {
            "a": "UX & Design",
            "b": "Engineering",
            "cadence": "weekly",
            "goal": "Designs that are buildable, builds that match the design.",
            "feedback": "",
            "checks": [(70, 3, ""), (20, 4, "Design reviews in sprint planning.")],
        },
        {
            "a": "Product Owners",
            "b": "Engineering",
            "cadence": "weekly",
            "goal": "Well-defined work every sprint.",
            "feedback": "",
            "checks": [(16, 4, "")],
        },
        {
            "a": "Product Management",
            "b": "Product Owners",
            "cadence": "weekly",
            "goal": "Strategy turned into the right backlog.",
            "feedback": "",
            "checks": [(16, 5, "")],
        },
        {
            "a": "Technical Writing",
            "b": "Engineering",
            "cadence": "fortnightly",
            "goal": "Documentation ships with the feature.",
            "feedback": "",
            "checks": [(45, 3, "Docs still trail releases by a sprint.")],
        },
        {
            "a": "Security",
            "b": "Engineering",
            "cadence": "fortnightly",
            "goal": "Secure by default.",
            "feedback": "",
            "checks": [(30, 4, "")],
        },
        {
            "a": "Security",
            "b": "Sales & Account Management",
            "cadence": "ad_hoc",
            "goal": "Answer security questionnaires within a week.",
            "feedback": "Security requirements blocking enterprise deals.",
            "checks": [(140, 2, "Questionnaires wait three weeks; Sales goes around Security.")],
        },
        {
            "a": "Legal",
            "b": "Sales & Account Management",
            "cadence": "ad_hoc",
            "goal": "Contracts that do not stall the quarter.",
            "feedback": "",
            "checks": [(175, 2, ""), (98, 1, "Redlines bounce for weeks; end-of-quarter deals slipped.")],
        },
        {
            "a": "Legal",
            "b": "Product Management",
            "cadence": "quarterly",
            "goal": "Privacy by design.",
            "feedback": "",
            "checks": [(80, 3, "")],
        },
        {
            "a": "Finance",
            "b": "Product Management",
            "cadence": "quarterly",
            "goal": "Pricing that funds the roadmap.",
            "feedback": "",
            "checks": [(66, 3, "")],
        },
        {
            "a": "Finance",
            "b": "Sales & Account Management",
            "cadence": "monthly",
            "goal": "Discounts that keep deals profitable.",
            "feedback": "",
            "checks": [(38, 3, "")],
        },
        {
            "a": "CEO",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "One vision, told the same way by everyone.",
            "feedback": "",
            "checks": [(29, 4, "")],
        },
        {
            "a": "Board of Directors",
            "b": "CEO",
            "cadence": "quarterly",
            "goal": "Investment decisions aligned with customers' outcomes.",
            "feedback": "",
            "checks": [(85, 4, "")],
        },
        {
            "a": "Corporate Marketing",
            "b": "Product Marketing",
            "cadence": "fortnightly",
            "goal": "A pipeline of the right customers.",
            "feedback": "",
            "checks": [(22, 4, "")],
        },
        {
            "a": "Corporate Marketing",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "Focused messaging, so the roadmap does not splinter.",
            "feedback": "Industry analysts' market insights.",
            "checks": [(57, 3, "")],
        },
        {
            "a": "HR / People",
            "b": "Engineering",
            "cadence": "quarterly",
            "goal": "Hire and keep great engineers.",
            "feedback": "",
            "checks": [(64, 3, "")],
        },
        {
            "a": "HR / People",
            "b": "Customer Success",
            "cadence": "quarterly",
            "goal": "New CSMs productive within a month.",
            "feedback": "",
            "checks": [(52, 4, "")],
        },
        {
            "a": "Business Development",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "Extend the product through partners where we do not invest.",
            "feedback": "The partner integrations customers ask for, and the gaps partners fill for us.",
            "checks": [(44, 4, "")],
        },
        {
            "a": "Business Development",
            "b": "Data & Technology Partners",
            "cadence": "monthly",
            "goal": "Integrations customers can rely on.",
            "feedback": "",
            "checks": [(35, 4, "")],
        },
        {
            "a": "Channel Partners",
            "b": "Sales & Account Management",
            "cadence": "monthly",
            "goal": "Co-sell without channel conflict.",
            "feedback": "",
            "checks": [(200, 3, ""), (122, 2, "Two deals fought over with Meridian.")],
        },
        {
            "a": "Channel Partners",
            "b": "Customer Success",
            "cadence": "quarterly",
            "goal": "Partner-led onboarding that meets our bar.",
            "feedback": "",
            "checks": [(74, 3, "")],
        },
        {
            "a": "Data & Technology Partners",
            "b": "Engineering",
            "cadence": "fortnightly",
            "goal": "Stable connectors through API changes.",
            "feedback": "",
            "checks": [(41, 3, "")],
        },
        {
            "a": "Subject Matter Experts",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "Features that reflect industry best practice.",
            "feedback": "Industry best practices, and the research questions customers bring to our experts.",
            "checks": [(36, 4, "")],
        },
    ],
    "disruptions": [
        {
            "kind": "reorg",
            "title": "Sales reorganized into regional pods",
            "note": "The new VP of Sales split the team into North America and EMEA pods; account "
            "ownership moved for about 40% of customers.",
            "days_ago": 3,
            "functions": ["Sales & Account Management"],
        },
    ],
    # A draft the leader is weighing (issue 18): its impact shows the Augmented layer of Insights
    # losing its lead, since Sales already contributes there and keeps its own cell.
    "scenarios": [
        {
            "name": "Merge Customer Success into Sales",
            "description": "One customer team under the VP of Sales: renewals and onboarding join the account "
            "executives.",
            "steps": [{"kind": "merge_function", "function": "Customer Success", "into": "Sales & Account Management"}],
        },
    ],
}

CONTOSO: dict[str, Any] = {
    "organization": {"slug": "contoso", "name": "Contoso Robotics", "go_to_market": "product_led"},
    "functions": [
        {
            "name": "Product Management",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Owns the fleet software's roadmap and the free-trial experience that sets "
            "customers' expectations.",
        },
        {
            "name": "Engineering",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Builds the robot control and fleet management software.",
        },
        {
            "name": "UX & Design",
            "category": "building",
            "is_external": False,
            "parent": None,
            "description": "Designs the operator console used on warehouse floors.",
        },
        {
            "name": "Customer Success",
            "category": "customer_facing",
            "is_external": False,
            "parent": None,
            "description": "Onboards warehouse teams and trains their operators.",
        },
        {
            "name": "CEO",
            "category": "leadership",
            "is_external": False,
            "parent": None,
            "description": "Sets the vision of autonomous warehouses.",
        },
    ],
    "people": {
        "Product Management": [
            ("Inês Carvalho", "Head of Product", "leader@contoso.test"),
        ],
        "Engineering": [
            ("Pavel Novák", "Robotics Software Engineer", "pavel.novak@contoso.test"),
            ("Hana Yoshida", "Controls Engineer", "hana.yoshida@contoso.test"),
        ],
        "UX & Design": [
            ("Tobias Weber", "Product Designer", "tobias.weber@contoso.test"),
        ],
        "Customer Success": [
            ("Adwoa Boateng", "Customer Success Lead", "adwoa.boateng@contoso.test"),
        ],
        "CEO": [
            ("Frank Miller", "Chief Executive Officer", "frank.miller@contoso.test"),
        ],
    },
    "products": [
        {
            "slug": "fleet",
            "name": "Contoso Fleet",
            "description": "Fleet management for autonomous warehouse robots.",
            "head": "leader@contoso.test",
        },
    ],
    "users": [
        {"email": "leader@contoso.test", "first_name": "Inês", "last_name": "Carvalho", "access": "leader"},
    ],
    "partnerships": [
        {
            "a": "Product Management",
            "b": "Engineering",
            "cadence": "weekly",
            "goal": "Fleet releases operators trust.",
            "feedback": "",
            "checks": [(18, 4, "")],
        },
        {
            "a": "Customer Success",
            "b": "Product Management",
            "cadence": "monthly",
            "goal": "Warehouse teams productive in their first week.",
            "feedback": "Where operators struggle during on-site onboarding.",
            "checks": [(40, 3, "")],
        },
    ],
}

ORGANIZATIONS: list[dict[str, Any]] = [NORTHWIND, CONTOSO]
