"""Writes of the organization side (STYLE: services). One module per area."""
