"""What the typology detectors look for: one FIU's thresholds, and the rule version each
alert carries so that an alert can always be explained by the rules that made it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Bumped whenever a detector's logic (not its thresholds) changes.
RULE_VERSION = "palermo-aml-1"

DAY = 86_400
HOUR = 3_600

# FATF's "black list" (call for action) and a selection of its "grey list" (increased
# monitoring); each FIU keeps its own list in its thresholds.
HIGH_RISK_COUNTRIES = ("KP", "IR", "MM", "SY", "YE", "HT", "SS", "VE", "ML", "BF", "CD", "NG")


class Thresholds(BaseModel):
    """All amounts are in EUR (transactions are converted on import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Structuring: cash deposits just under the reporting threshold.
    reporting_threshold: float = Field(default=10_000, gt=0)
    structuring_band: float = Field(default=0.2, gt=0, lt=1)  # "just under": within 20 %
    structuring_days: int = Field(default=7, ge=1)
    structuring_min_deposits: int = Field(default=3, ge=2)

    # Bursts of counterparties: fan-in, fan-out and the patterns built of them.
    burst_days: int = Field(default=3, ge=1)
    fan_min_counterparties: int = Field(default=5, ge=2)
    group_min_counterparties: int = Field(default=3, ge=2)  # for bipartite, stack, scatter
    # A burst is unusual when it is most of what the account ever does (payroll is not).
    burst_share: float = Field(default=0.5, gt=0, le=1)
    burst_min_total: float = Field(default=5_000, ge=0)  # what a burst moves, at least
    gather_scatter_days: int = Field(default=5, ge=1)

    # Layering: chains of payments passing most of the money on.
    layering_min_amount: float = Field(default=1_000, ge=0)
    hop_hours: int = Field(default=72, ge=1)
    kept_min: float = Field(default=0.8, gt=0, le=1)  # share of an amount passed on per hop
    chain_max_hops: int = Field(default=10, ge=3, le=10)
    chain_max_days: int = Field(default=20, ge=1)
    # Accounts busier than this are businesses, exchanges or processors: not mules.
    hub_transactions: int = Field(default=400, ge=10)
    high_risk_countries: tuple[str, ...] = HIGH_RISK_COUNTRIES
    cross_border_min_hops: int = Field(default=3, ge=2)

    # Rapid pass-through: money in and (almost) all of it out within hours, repeatedly.
    pass_through_hours: int = Field(default=24, ge=1)
    pass_through_share: float = Field(default=0.9, gt=0, le=1)
    pass_through_min_events: int = Field(default=3, ge=2)
    pass_through_days: int = Field(default=14, ge=1)

    # Dormant accounts waking up.
    dormant_days: int = Field(default=120, ge=30)
    dormant_min_amount: float = Field(default=5_000, ge=0)
    dormant_wake_days: int = Field(default=10, ge=1)
