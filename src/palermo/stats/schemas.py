"""The figures as rows: what the API returns, the tables show and the CSV files hold."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, computed_field

from palermo.offences import iccs

NO_OFFENCE = "none"  # the section of records and cases that name no ICCS offence


class Yearly(BaseModel):
    """A row of a figure: counted in a year."""

    year: int


class OffenceCount(Yearly):
    """Records or cases in an ICCS section (its two-digit code), in a year."""

    iccs_section: str = Field(description=f"two-digit ICCS section, or {NO_OFFENCE!r}")
    count: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def iccs_label(self) -> str:
        """The section's name in the classification (English, as UNODC publishes it)."""
        found = iccs().get(self.iccs_section)
        return found.label if found else "No offence recorded"


class CountryCount(Yearly):
    """Records (by owner agency) or cases (by lead agency) of a country, in a year."""

    country: str = Field(description="ISO 3166-1 alpha-2")
    count: int


class NoticeCount(Yearly):
    """Notices of a kind in a status, by the year they were created."""

    kind: str
    status: str
    count: int


class ScreeningMonth(Yearly):
    """The reader's agencies' screenings in a month: each is one line of the audit log (a
    name screened on the form or the API, or a chunk of a batch)."""

    month: int
    screenings: int
    names: int = Field(description="names screened (a batch chunk screens many)")
    with_hits: int = Field(description="screenings that found at least one record")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hit_rate(self) -> float:
        """Share of screenings with a hit, 0 to 1."""
        return round(self.with_hits / self.screenings, 4) if self.screenings else 0.0


class OperationResult(Yearly):
    """What the action days of the reader's cases achieved in a country and year: people
    and places counted (unit "count"), seizures and frozen assets by item and unit."""

    country: str
    kind: str
    item: str
    unit: str
    quantity: Decimal


class Statistics(BaseModel):
    """Every figure; a list is None when the reader's roles do not do that work."""

    records_by_offence: list[OffenceCount] | None
    records_by_country: list[CountryCount] | None
    cases_by_offence: list[OffenceCount] | None
    cases_by_country: list[CountryCount] | None
    notices: list[NoticeCount] | None
    screening: list[ScreeningMonth]
    operation_results: list[OperationResult] | None

    @property
    def years(self) -> list[int]:
        """The years some figure counts something in, the latest first."""
        found = {row.year for rows in self._lists() for row in rows}
        return sorted(found, reverse=True)

    def in_year(self, year: int) -> Statistics:
        """The figures of one year."""
        return Statistics.model_validate(
            {
                name: None if rows is None else [r for r in rows if r.year == year]
                for name, rows in self.figures().items()
            }
        )

    def figures(self) -> dict[str, list[Yearly] | None]:
        """Each figure by name."""
        return {name: getattr(self, name) for name in type(self).model_fields}

    def _lists(self) -> list[list[Yearly]]:
        return [rows for rows in self.figures().values() if rows is not None]
