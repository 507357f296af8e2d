"""Synthetic intelligence for benchmarks: FtM entities with realistic names, deterministic.

python bench/synthetic.py --entities 1000000 --out /tmp/entities.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

GIVEN = [
    "Ivan",
    "Marko",
    "Ana",
    "Elena",
    "Mohammed",
    "Fatima",
    "Wei",
    "Linh",
    "Carlos",
    "Mariana",
    "Chinedu",
    "Amara",
    "Jan",
    "Sanne",
    "Giulia",
    "Luca",
    "Olga",
    "Dmitri",
    "Aisha",
    "Youssef",
    "Kwame",
    "Thandiwe",
    "Juan",
    "Lucía",
    "Hiroshi",
    "Priya",
]
FAMILY = [
    "Petrov",
    "Kovač",
    "Novak",
    "Popescu",
    "Haddad",
    "Nguyen",
    "Zhang",
    "García",
    "Silva",
    "Okafor",
    "Mensah",
    "de Vries",
    "Rossi",
    "Ivanova",
    "Al-Masri",
    "Dlamini",
    "Rodríguez",
    "Tanaka",
    "Sharma",
    "Müller",
    "Kowalski",
    "Yılmaz",
    "Diallo",
    "Costa",
]
COUNTRIES = [
    "ru",
    "rs",
    "hr",
    "ro",
    "ng",
    "gh",
    "co",
    "ec",
    "br",
    "nl",
    "be",
    "es",
    "it",
    "de",
    "fr",
    "vn",
    "cn",
    "th",
    "my",
    "ke",
    "tz",
    "za",
    "ae",
    "tr",
    "al",
    "bg",
]
SUFFIXES = ["Ltd", "GmbH", "S.A.", "B.V.", "LLC", "d.o.o.", "S.R.L.", "Trading", "Logistics"]


def entities(count: int, seed: int = 1) -> Iterator[dict[str, object]]:
    """About 60 % persons, 20 % companies, 20 % relationships between earlier entities."""
    rng = random.Random(seed)
    people: list[str] = []
    companies: list[str] = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.6 or len(people) < 2:
            entity_id = f"p{n}"
            people.append(entity_id)
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {rng.choice(FAMILY)}"
            yield {
                "id": entity_id,
                "schema": "Person",
                "properties": {
                    "name": [name],
                    "birthDate": [
                        f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-"
                        f"{rng.randint(1, 28):02d}"
                    ],
                    "nationality": [rng.choice(COUNTRIES)],
                    "passportNumber": [f"{rng.choice('ABCDEFGH')}{rng.randint(1000000, 9999999)}"],
                },
            }
        elif roll < 0.8 or not companies:
            entity_id = f"c{n}"
            companies.append(entity_id)
            yield {
                "id": entity_id,
                "schema": "Company",
                "properties": {
                    "name": [f"{rng.choice(FAMILY)} {rng.choice(SUFFIXES)}"],
                    "jurisdiction": [rng.choice(COUNTRIES)],
                    "registrationNumber": [str(rng.randint(10**7, 10**9))],
                },
            }
        elif roll < 0.9:
            yield {
                "id": f"o{n}",
                "schema": "Ownership",
                "properties": {
                    "owner": [rng.choice(people)],
                    "asset": [rng.choice(companies)],
                    "percentage": [str(rng.randint(1, 100))],
                },
            }
        else:
            a, b = rng.sample(people, 2)
            yield {
                "id": f"a{n}",
                "schema": "Associate",
                "properties": {"person": [a], "associate": [b], "relationship": ["associate"]},
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as handle:
        for entity in entities(args.entities, args.seed):
            handle.write(json.dumps(entity, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
