"""Report build tasks (issue 5)."""
