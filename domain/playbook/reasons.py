"""Reasons the playbook gives more than once (quoted from 000_… unless noted): data only."""

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
