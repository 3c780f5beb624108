"""Guessed mappings from an export's own column names: normalised, synonyms, close spelling."""

from __future__ import annotations

import pytest

from cxcore.data.contract import TABLES
from cxcore.store.mapping import name_words, prefill, suggest

ORDERS = ["order_id", "customer_id", "order_date", "product_category", "amount"]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Amount (USD)", ("amount",)),
        ("  Order-Date ", ("order", "date")),
        ("handle_time [s]", ("handle", "time")),
        ("Client.ID", ("client", "id")),
    ],
)
def test_name_words_ignore_case_punctuation_and_units(name: str, words: tuple[str, ...]) -> None:
    assert name_words(name) == words


@pytest.mark.parametrize(
    ("table", "files", "expected"),
    [
        # the same words
        (
            "orders",
            ["order date", "amount (usd)"],
            {"order_date": "order date", "amount": "amount (usd)"},
        ),
        # synonyms: client -> customer, number -> id, day -> date, revenue -> amount
        (
            "orders",
            ["client", "order number", "day", "revenue", "category"],
            {
                "customer_id": "client",
                "order_id": "order number",
                "order_date": "day",
                "amount": "revenue",
                "product_category": "category",
            },
        ),
        # "product" names product_category alone in orders
        ("orders", ["product"], {"product_category": "product"}),
        # a close spelling
        ("orders", ["ammount"], {"amount": "ammount"}),
        # "order" fits order_id and order_date: not guessed
        ("orders", ["order"], {}),
        # unrelated names: nothing
        ("orders", ["colour", "weight"], {}),
        # a unit in brackets and a short word
        ("service_contacts", ["handle time (s)"], {"handle_time_s": "handle time (s)"}),
        ("nps_responses", ["rating"], {"score": "rating"}),
    ],
)
def test_suggest(table: str, files: list[str], expected: dict[str, str]) -> None:
    missing = [c.name for c in TABLES[table].columns]
    assert suggest(table, missing, files) == expected


def test_a_file_column_is_guessed_for_one_contract_column_only() -> None:
    # "date" could be order_date only; it is used once even if asked twice.
    assert suggest("orders", ["order_date", "order_date"], ["date"]) == {"order_date": "date"}


def test_prefill_prefers_the_remembered_column_over_a_guess() -> None:
    amount = next(c for c in TABLES["orders"].columns if c.name == "amount")
    candidates = ["revenue", "net"]
    assert prefill({}, amount, candidates, "orders") == "revenue"
    assert prefill({"Net": "amount"}, amount, candidates, "orders") == "net"
