"""The scenario pages (issue 18 item 3): list, editor with its impact panel, compare, apply, exports."""
