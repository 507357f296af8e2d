"""`palermo treaties list|show|resolve|dual-criminality`: the treaty registry, the legal
bases a request between two states can rest on, and dual criminality of a conduct."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from palermo.console import emit_json, handles_errors, out
from palermo.errors import NotFound
from palermo.identity.service import country_code
from palermo.judicial import legal_basis, penal
from palermo.judicial.treaties import REQUEST_TITLES, RequestType, packaged
from palermo.offences import offence

treaties_app = typer.Typer(help="Treaties, legal bases and dual criminality.")
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@treaties_app.command("list")
@handles_errors
def list_treaties(json_output: JsonOption = False) -> None:
    """The conventions and treaties Palermo knows, with what they provide for."""
    registry = packaged()
    rows = sorted(registry.treaties.values(), key=lambda t: (t.kind.value, t.code))
    if json_output:
        emit_json(
            [
                {
                    "code": t.code,
                    "title": t.title,
                    "kind": t.kind.value,
                    "in_force_on": t.in_force_on,
                    "covers": {k.value: v for k, v in t.covers.items()},
                    "parties": sorted(t.parties) if t.members is None else sorted(t.members),
                }
                for t in rows
            ]
        )
        return
    table = Table("code", "title", "kind", "in force", "provides for", "states")
    for t in rows:
        table.add_row(
            t.code,
            escape(t.title),
            t.kind.value,
            str(t.in_force_on or ""),
            ", ".join(f"{k.value} ({v})" for k, v in t.covers.items()),
            str(len(t.members if t.members is not None else t.parties)),
        )
    out.print(table)


@treaties_app.command("show")
@handles_errors
def show_treaty(code: Annotated[str, typer.Argument(help="UNTOC, ETS030…")]) -> None:
    """A treaty: what it provides for, its scope, its parties and reservations."""
    registry = packaged()
    try:
        treaty = registry.treaty(code)
    except KeyError:
        raise NotFound(f"no treaty {code!r}: see `palermo treaties list`") from None
    out.print(f"[bold]{treaty.code}[/] {escape(treaty.title)} ({treaty.kind.value})")
    out.print(f"Adopted {treaty.adopted_on}, in force {treaty.in_force_on or 'not yet'}")
    for kind, article in treaty.covers.items():
        rule = treaty.dual_criminality.get(kind)
        out.print(
            f"  {REQUEST_TITLES[kind]}: {article}" + (f"; dual criminality {rule}" if rule else "")
        )
    if treaty.scope.note:
        out.print(f"Scope: {escape(treaty.scope.note)}")
    states = Table("state", "deposited", "in force", "source", title="Parties")
    if treaty.members is not None:
        for country in sorted(treaty.members):
            states.add_row(country, "", "", "")
    for party in sorted(treaty.parties.values(), key=lambda p: p.country):
        states.add_row(
            party.country, str(party.deposited_on or ""), str(party.in_force_on or ""), party.source
        )
    out.print(states)
    for held in registry.reservations:
        if held.treaty == treaty.code:
            out.print(f"{held.country}, Art. {held.article}: {escape(held.text)}")


@treaties_app.command("resolve")
@handles_errors
def resolve(
    requesting: Annotated[str, typer.Argument(help="The requesting state (ISO alpha-2).")],
    requested: Annotated[str, typer.Argument(help="The requested state.")],
    request: Annotated[RequestType, typer.Argument(help="mla, extradition, recognition, jit")],
    offence_code: Annotated[
        list[str] | None, typer.Option("--offence", help="ICCS code of the conduct (repeatable).")
    ] = None,
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    json_output: JsonOption = False,
) -> None:
    """The legal bases a request can rest on, and those it cannot (and why)."""
    bases = legal_basis.resolve(
        packaged(),
        requesting=requesting,
        requested=requested,
        request=request,
        on=date.fromisoformat(on) if on else date.today(),
        offences=offence_code or [],
    ).bases
    if json_output:
        emit_json(
            [
                {
                    "treaty": basis.treaty.code,
                    "applies": basis.applies,
                    "article": basis.article,
                    "dual_criminality": basis.dual_criminality,
                    "reasons": basis.reasons,
                }
                for basis in bases
            ]
        )
        return
    for basis in bases:
        mark = "[green]applies[/]" if basis.applies else "[red]does not apply[/]"
        article = f", {basis.article}" if basis.article else ""
        out.print(f"{mark}  {basis.treaty.code}{article} — {escape(basis.treaty.title)}")
        for reason in basis.reasons:
            out.print(f"    {escape(reason)}")
    if not any(b.applies for b in bases):
        out.print(
            "No treaty applies: the request can only rest on reciprocity, "
            "at the requested state's discretion."
        )


@treaties_app.command("dual-criminality")
@handles_errors
def check_dual_criminality(
    requesting: Annotated[str, typer.Argument(help="The requesting state (ISO alpha-2).")],
    requested: Annotated[str, typer.Argument(help="The requested state.")],
    offence_code: Annotated[list[str], typer.Option("--offence", help="ICCS code (repeatable).")],
) -> None:
    """Is the conduct an offence in both states, and how heavily is it punished?"""
    check = penal.dual_criminality(
        offence_code, requesting=country_code(requesting), requested=country_code(requested)
    )
    for conduct in check.conduct:
        out.print(f"[bold]{conduct.code}[/] {offence(conduct.code).label}")
        for state, matches in (
            (check.requesting, conduct.requesting),
            (check.requested, conduct.requested),
        ):
            if not matches:
                out.print(f"  {state}: [red]no offence known[/]")
            for match in matches:
                narrower = " (narrower)" if match.narrower else ""
                found = match.offence
                out.print(
                    f"  {state}: {escape(found.reference)} — {escape(found.title)}, "
                    f"up to {found.penalty}{narrower}"
                )
    verdict = "holds" if check.holds else "does not hold: " + "; ".join(check.failing)
    out.print(f"Dual criminality {verdict}")
    for state in (check.requesting, check.requested):
        if state in check.penalties():
            serious = "a serious crime" if check.serious_crime(state) else "not a serious crime"
            out.print(f"In {state}: {serious} (Palermo Art. 2(b): at least 4 years)")
