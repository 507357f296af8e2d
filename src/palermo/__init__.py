"""Palermo: an open platform for international police cooperation against organized crime."""

__version__ = "0.1.0"
