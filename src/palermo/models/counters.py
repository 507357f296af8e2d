"""Reference series (an FIU's reports of a year, an agency's assets of a year): the last
number given in each, so the next is taken under the row's lock and never twice."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from palermo.models.base import Base


class Counter(Base):
    __tablename__ = "counters"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
