"""The data contract: which export tables exist and what each column must hold.

Declared once, as data, so that reading, validation, the upload page and the
docs all describe the same rules and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The logical type of a contract column, independent of file format."""

    ID = "id"
    STRING = "string"
    DATE = "date"
    NUMBER = "number"
    INTEGER = "integer"
    BOOL = "bool"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    not_null: bool = True
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    required: bool
    date_column: str | None
    columns: tuple[Column, ...]
    description: str = ""
    # Column-name prefixes whose columns are all of one kind (nps `driver_*`).
    prefixed: dict[str, Kind] = field(default_factory=dict)
    words: str = ""  # what a reader calls the export, when not its name with spaces

    @property
    def label(self) -> str:
        """`service_contacts` -> `service contacts`, as sentences on a page name it."""
        return self.words or self.name.replace("_", " ")

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def id_column(self) -> str | None:
        return next((c.name for c in self.columns if c.unique), None)


DRIVER_PREFIX = "driver_"  # a survey's driver ratings: `driver_wait_time`, ...


def table_label(name: str) -> str:
    """A table's name as a reader says it (an unknown name as it is)."""
    return TABLES[name].label if name in TABLES else name


def _id(name: str, **kw: object) -> Column:
    return Column(name, Kind.ID, **kw)  # type: ignore[arg-type]


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            True,
            "signup_date",
            (
                _id("customer_id", unique=True),
                Column("segment", Kind.STRING),
                Column("region", Kind.STRING),
                Column("signup_date", Kind.DATE),
                Column("acquisition_channel", Kind.STRING, required=False, not_null=False),
            ),
            "One row per customer, from the CRM.",
        ),
        Table(
            "orders",
            True,
            "order_date",
            (
                _id("order_id", unique=True),
                _id("customer_id"),
                Column("order_date", Kind.DATE),
                Column("product_category", Kind.STRING),
                Column("amount", Kind.NUMBER, description="negative = refund or credit note"),
                Column("channel", Kind.STRING, required=False, not_null=False),
            ),
            "One row per order or credit note, from billing.",
        ),
        Table(
            "nps_responses",
            False,
            "response_date",
            (
                _id("response_id", unique=True),
                _id("customer_id", not_null=False),
                Column("response_date", Kind.DATE),
                Column("score", Kind.INTEGER, minimum=0, maximum=10),
                Column("journey", Kind.STRING, required=False, not_null=False),
                Column("touchpoint", Kind.STRING, required=False, not_null=False),
                Column("comment", Kind.STRING, required=False, not_null=False),
            ),
            "One row per survey answer.",
            prefixed={DRIVER_PREFIX: Kind.NUMBER},
            words="survey responses",
        ),
        Table(
            "service_contacts",
            False,
            "contact_date",
            (
                _id("contact_id", unique=True),
                _id("customer_id", not_null=False),
                Column("contact_date", Kind.DATE),
                Column("channel", Kind.STRING),
                Column("cost", Kind.NUMBER, minimum=0),
                Column("handle_time_s", Kind.NUMBER, required=False, not_null=False, minimum=0),
                Column("resolved_first_contact", Kind.BOOL, required=False, not_null=False),
                Column("within_sla", Kind.BOOL, required=False, not_null=False),
            ),
            "One row per contact with the contact centre.",
        ),
        Table(
            "web_sessions",
            False,
            "session_date",
            (
                _id("session_id", unique=True),
                _id("customer_id", not_null=False),
                Column("session_date", Kind.DATE),
                Column("pageviews", Kind.INTEGER, minimum=1),
                Column("duration_s", Kind.NUMBER, minimum=0),
                Column("converted", Kind.BOOL),
                Column("device", Kind.STRING, required=False, not_null=False),
                Column(
                    "region",
                    Kind.STRING,
                    required=False,
                    not_null=False,
                    description="the region of an anonymous session",
                ),
            ),
            "One row per web or app session.",
        ),
        Table(
            "marketing_spend",
            False,
            "spend_date",
            (
                Column("spend_date", Kind.DATE),
                Column("channel", Kind.STRING),
                Column("spend", Kind.NUMBER, minimum=0),
                Column("segment", Kind.STRING, required=False, not_null=False),
                Column("region", Kind.STRING, required=False, not_null=False),
            ),
            "Acquisition spend per day and channel.",
        ),
    )
}

UNKNOWN = "Unknown"  # the member of rows whose customer is unknown (the cockpit's own)
# A member the export itself writes as "Unknown" is kept apart from the cockpit's own, under
# this name, so a filter or breakdown never mixes the two (said as a warning on upload).
UNKNOWN_AS_EXPORTED = "Unknown (as exported)"
BASE_DIMENSIONS = ("segment", "region")
# A further customer column is a dimension while it has at most this many members.
MAX_DIMENSION_MEMBERS = 200
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
