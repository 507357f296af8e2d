"""The workspace's navigation. Capabilities join it as their packages land."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    # False until the capability's package is on this node: shown, but not a link.
    available: bool = True


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "/"),
    NavItem("Records", "/records", available=False),
    NavItem("Screening", "/screening", available=False),
    NavItem("Messages", "/messages", available=False),
    NavItem("Notices", "/notices", available=False),
    NavItem("Linkage", "/linkage", available=False),
    NavItem("Networks", "/network", available=False),
    NavItem("Financial intelligence", "/finintel", available=False),
    NavItem("Assets", "/assets", available=False),
    NavItem("Cases", "/cases", available=False),
    NavItem("Judicial requests", "/judicial", available=False),
    NavItem("My agency", "/agency"),
)
