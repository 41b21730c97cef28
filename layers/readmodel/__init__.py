"""The maintained read model (DESIGN §4, issue 13): review pairs and coverage counters.

- `tables`: the rows (one per review pair, per assignment, per (product, function), per
  (product, layer) and per product);
- `maintain`: recomputes a scope of them from raw rows with `domain.review_state`'s rule;
- `hooks`: what the write services call, in their own transaction;
- `read`: live coverage from the counters (pages, the API, the report build);
- `oracle`: rebuild and check against `domain.coverage.compute.compute_coverage` on raw rows.
"""
