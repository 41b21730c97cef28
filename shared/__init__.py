"""Code every app may use and that uses no app: the bottom layer of the house (issue 17).

`shared.exports` is the export framework: a dataset yields tables, a format renders them.
Nothing here imports `roles` or `layers`.
"""
