"""Global search: one query put to every capability the principal works with."""
