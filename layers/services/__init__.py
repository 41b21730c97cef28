"""Writes of the product side (STYLE: services). One module per area."""
