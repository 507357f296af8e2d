"""Screening: watch lists (sanctions, wanted persons) and matching against them."""
