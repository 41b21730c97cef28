"""Review invite/reminder tasks (issue 4)."""
