"""The lifecycle of a criminal asset and the legal instrument each step needs.

identified → traced → frozen → seized → confiscated → under management → disposed →
returned / shared / transferred to victims; or, before confiscation, released. Freezing and
seizure are temporary (Palermo Convention Art. 2(f)), confiscation permanent (Art. 2(g));
disposal follows Art. 14: return to the requesting state or to victims, sharing between states,
or the state's own use (social reuse, budget) or destruction.

Kept free of imports from the rest of Palermo: the models use these enums."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from palermo.translatable import N_


class AssetKind(enum.StrEnum):
    real_estate = "real_estate"
    vehicle = "vehicle"
    vessel = "vessel"
    aircraft = "aircraft"
    bank_account = "bank_account"
    crypto_wallet = "crypto_wallet"
    shares = "shares"
    cash = "cash"
    valuables = "valuables"


# The FollowTheMoney schema of each kind's record (cash and valuables are plain Assets).
KIND_SCHEMA = {
    AssetKind.real_estate: "RealEstate",
    AssetKind.vehicle: "Vehicle",
    AssetKind.vessel: "Vessel",
    AssetKind.aircraft: "Airplane",
    AssetKind.bank_account: "BankAccount",
    AssetKind.crypto_wallet: "CryptoWallet",
    AssetKind.shares: "Security",
    AssetKind.cash: "Asset",
    AssetKind.valuables: "Asset",
}


class AssetState(enum.StrEnum):
    identified = "identified"
    traced = "traced"
    frozen = "frozen"
    seized = "seized"
    confiscated = "confiscated"
    under_management = "under_management"
    disposed = "disposed"
    returned = "returned"
    shared = "shared"
    transferred_to_victims = "transferred_to_victims"
    released = "released"


STATE_TITLES = {
    AssetState.identified: N_("Identified"),
    AssetState.traced: N_("Traced"),
    AssetState.frozen: N_("Frozen"),
    AssetState.seized: N_("Seized"),
    AssetState.confiscated: N_("Confiscated"),
    AssetState.under_management: N_("Under management"),
    AssetState.disposed: N_("Disposed"),
    AssetState.returned: N_("Returned"),
    AssetState.shared: N_("Shared"),
    AssetState.transferred_to_victims: N_("Transferred to victims"),
    AssetState.released: N_("Released"),
}

# Where the asset no longer moves.
FINAL = frozenset(
    {
        AssetState.returned,
        AssetState.shared,
        AssetState.transferred_to_victims,
        AssetState.released,
    }
)

# Once disposed of, an asset's accounts are closed: no more values or costs.
ACCOUNTS_CLOSED = FINAL | {AssetState.disposed}


class OrderKind(enum.StrEnum):
    freezing = "freezing"
    seizure = "seizure"
    confiscation = "confiscation"
    management = "management"  # hands the asset to an asset management office
    interlocutory_sale = "interlocutory_sale"  # sale before the final decision
    disposal = "disposal"
    release = "release"


# Temporary measures lapse on their expiry date unless renewed.
TEMPORARY = frozenset({OrderKind.freezing, OrderKind.seizure})


class LegalBasis(enum.StrEnum):
    conviction_based = "conviction_based"
    non_conviction_based = "non_conviction_based"
    value_based = "value_based"
    third_party = "third_party"
    extended = "extended"
    unexplained_wealth = "unexplained_wealth"


class DisposalType(enum.StrEnum):
    return_to_requesting_state = "return_to_requesting_state"  # Art. 14(2)
    compensation_of_victims = "compensation_of_victims"  # Art. 14(2)
    sharing = "sharing"  # Art. 14(3)(b)
    social_reuse = "social_reuse"
    state_budget = "state_budget"
    destruction = "destruction"


# Where the execution of each disposal leads; the others end at `disposed`.
EXECUTED_AS = {
    DisposalType.return_to_requesting_state: AssetState.returned,
    DisposalType.compensation_of_victims: AssetState.transferred_to_victims,
    DisposalType.sharing: AssetState.shared,
}


class RecognitionStatus(enum.StrEnum):
    requested = "requested"
    recognised = "recognised"
    refused = "refused"


@dataclass(frozen=True)
class Step:
    """A transition and the kind of order it needs (`None`: a finding, noted, suffices)."""

    target: AssetState
    sources: frozenset[AssetState]
    instrument: OrderKind | None


def _step(target: AssetState, sources: set[AssetState], instrument: OrderKind | None) -> Step:
    return Step(target, frozenset(sources), instrument)


S = AssetState
STEPS = {
    step.target: step
    for step in (
        _step(S.traced, {S.identified}, None),
        _step(S.frozen, {S.identified, S.traced, S.frozen}, OrderKind.freezing),
        _step(S.seized, {S.identified, S.traced, S.frozen, S.seized}, OrderKind.seizure),
        _step(S.confiscated, {S.frozen, S.seized}, OrderKind.confiscation),
        _step(S.under_management, {S.confiscated}, OrderKind.management),
        _step(S.disposed, {S.confiscated, S.under_management}, OrderKind.disposal),
        _step(S.returned, {S.disposed}, OrderKind.disposal),
        _step(S.shared, {S.disposed}, OrderKind.disposal),
        _step(S.transferred_to_victims, {S.disposed}, OrderKind.disposal),
        _step(S.released, {S.frozen, S.seized}, OrderKind.release),
    )
}


def next_states(state: AssetState, disposal: DisposalType | None = None) -> list[AssetState]:
    """Where an asset in `state` may go (a frozen or seized asset may be so again: renewal);
    a disposed asset only where its decision (`disposal`) sends it, if anywhere."""
    if state is AssetState.disposed:
        return [EXECUTED_AS[disposal]] if disposal in EXECUTED_AS else []
    return [target for target, step in STEPS.items() if state in step.sources]


def is_final(state: AssetState, disposal: DisposalType | None = None) -> bool:
    """Whether the asset's life is over: returned, shared, transferred or released, or
    disposed of by destruction, social reuse or the state budget."""
    return not next_states(state, disposal)
