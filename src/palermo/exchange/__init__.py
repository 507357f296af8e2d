"""Secure exchange between agencies and federation between nodes."""
