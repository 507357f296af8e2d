"""What the typology detectors look for: one FIU's thresholds, and the rule version each
alert carries so that an alert can always be explained by the rules that made it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# Bumped whenever a detector's logic (not its thresholds) changes.
RULE_VERSION = "palermo-aml-1"

DAY = 86_400
HOUR = 3_600

# FATF's "black list" (call for action: KP, IR, MM) and its "grey list" (increased
# monitoring) as published in 2025. The lists change three times a year: each FIU keeps its
# own in its thresholds.
HIGH_RISK_COUNTRIES = (
    *("KP", "IR", "MM"),
    *("DZ", "AO", "BO", "BG", "CM", "CI", "CD", "HT", "KE", "LA", "LB", "MC", "NA", "NP"),
    *("SS", "SY", "TZ", "VE", "VN", "YE", "VG"),
)


class Thresholds(BaseModel):
    """All amounts are in EUR (transactions are converted on import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Structuring: cash deposits just under the reporting threshold.
    reporting_threshold: float = Field(default=10_000, gt=0)
    structuring_band: float = Field(default=0.2, gt=0, lt=1)  # "just under": within 20 %
    structuring_days: int = Field(default=7, ge=1)
    structuring_min_deposits: int = Field(default=3, ge=2)
    # A cash business pays in near the threshold all year: a run must be most of the
    # account's deposits near the threshold.
    structuring_run_share: float = Field(default=0.5, gt=0, le=1)

    # Bursts of counterparties: fan-in, fan-out and the patterns built of them.
    burst_days: int = Field(default=3, ge=1)
    fan_min_counterparties: int = Field(default=5, ge=2)
    # Fans split a sum into like parts: the amounts' coefficient of variation, at most.
    fan_max_variation: float = Field(default=0.3, gt=0)
    group_min_counterparties: int = Field(default=3, ge=2)  # gather-scatter, scatter-gather
    layer_min_counterparties: int = Field(default=2, ge=2)  # each account of a layer
    # A burst is unusual when it is most of what the account ever does (payroll is not).
    burst_share: float = Field(default=0.5, gt=0, le=1)
    burst_min_total: float = Field(default=5_000, ge=0)  # what a burst moves, at least
    gather_scatter_days: int = Field(default=5, ge=1)

    # Layering: chains of payments passing most of the money on.
    layering_min_amount: float = Field(default=1_000, ge=0)
    hop_hours: int = Field(default=96, ge=1)
    kept_min: float = Field(default=0.8, gt=0, le=1)  # share of an amount passed on per hop
    chain_max_hops: int = Field(default=10, ge=3, le=10)
    chain_max_days: int = Field(default=20, ge=1)
    # Accounts busier than this are businesses, exchanges or processors: not mules.
    hub_transactions: int = Field(default=400, ge=10)
    high_risk_countries: tuple[str, ...] = HIGH_RISK_COUNTRIES
    cross_border_min_hops: int = Field(default=3, ge=2)

    # Rapid pass-through: money in and (almost) all of it out within hours, repeatedly.
    pass_through_hours: int = Field(default=36, ge=1)
    pass_through_share: float = Field(default=0.9, gt=0, le=1)
    pass_through_min_events: int = Field(default=3, ge=2)
    pass_through_days: int = Field(default=14, ge=1)
    # The passes are most of what the account does (a busy firm's flows are not).
    pass_through_activity_share: float = Field(default=0.25, gt=0, le=1)

    # Dormant accounts waking up.
    dormant_days: int = Field(default=120, ge=30)
    dormant_min_amount: float = Field(default=5_000, ge=0)
    dormant_wake_days: int = Field(default=5, ge=1)
    dormant_passed_share: float = Field(default=0.85, gt=0, le=1)  # of the sum, passed on
