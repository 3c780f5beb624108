"""Why it moved, worked by hand: volume, mix and rate add up exactly to the change."""

from __future__ import annotations

import tempfile
from fractions import Fraction as F
from pathlib import Path

import pytest

from cxcore import ArgumentError, Cockpit
from cxcore.store.publish import ensure_store
from tests.factories import customer, nps, order, write_folder

START, END = "2025-04-01", "2025-06-30"  # P = Q2 2025; Q = Q1 2025
QD, PD = "2025-02-10", "2025-05-10"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    customers = [
        customer("s1", "SMB", signup="2024-06-01"),
        customer("s2", "SMB", signup="2024-06-01"),
        customer("s3", "SMB", signup="2025-05-01"),  # joins the books in P
        customer("s4", "SMB", signup="2025-01-15"),  # on the books, never buys
        customer("e1", "Enterprise", signup="2024-06-01"),
        customer("e2", "Enterprise", signup="2025-02-01"),
    ]
    orders = [
        order("q1", "s1", QD, 100),
        order("q2", "s2", QD, 100),
        order("q3", "e1", QD, 300),
        order("p1", "s1", PD, 50),
        order("p2", "s2", PD, 50),
        order("p3", "s3", PD, 50),
        order("p4", "e1", PD, 500),
        order("p5", "e2", PD, 300),
    ]
    scores = {("Q", "s1"): [10, 10, 0, 7], ("Q", "e1"): [10, 0], ("P", "s1"): [9, 9]}
    scores[("P", "e1")] = [10, 0, 0, 0]
    answers = [
        nps(f"{when}{who}{i}", who, QD if when == "Q" else PD, s)
        for (when, who), values in scores.items()
        for i, s in enumerate(values)
    ]
    return write_folder(
        tmp_path_factory.mktemp("moved"), customers=customers, orders=orders, nps_responses=answers
    )


def members(result: dict) -> dict[str, dict]:
    return {m["member"]: m for m in result["decomposition"]["members"]}


def assert_adds_up(result: dict) -> None:
    split = result["decomposition"]
    parts = split["volume"] + sum(m["mix"] + m["rate"] for m in split["members"])
    assert parts == pytest.approx(split["total_change"], abs=1e-9)
    assert split["mix"] + split["rate"] + split["volume"] == pytest.approx(split["total_change"])


def test_revenue_is_active_customers_times_revenue_per_customer(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        result = cockpit.why_it_moved("revenue", START, END, by="segment")
    # Q: SMB 200 over 2 active, Enterprise 300 over 1 (500 over 3);
    # P: SMB 150 over 3, Enterprise 800 over 2 (950 over 5). Change 450.
    # volume = (5 - 3) * (500/3 + 190) / 2 = 1070/3; midpoint base (3 + 5) / 2 = 4;
    # SMB mix = (3/5 - 2/3) * (100 + 50)/2 * 4 = -20, rate = (50 - 100) * (2/3 + 3/5)/2 * 4 = -380/3
    # Ent mix = (2/5 - 1/3) * (300 + 400)/2 * 4 = 280/3, rate = (400 - 300) * (1/3 + 2/5)/2 * 4
    #         = 440/3;  1070/3 - 20 - 380/3 + 280/3 + 440/3 = 450
    split = result["decomposition"]
    assert split["total_change"] == 450
    assert split["volume"] == pytest.approx(float(F(1070, 3)))
    smb, ent = members(result)["SMB"], members(result)["Enterprise"]
    assert (smb["mix"], smb["rate"]) == pytest.approx((-20, float(F(-380, 3))))
    assert (ent["mix"], ent["rate"]) == pytest.approx((float(F(280, 3)), float(F(440, 3))))
    assert split["movers"] == ["Enterprise", "SMB"]
    assert result["base"] == "active customers"
    assert_adds_up(result)


def test_nps_is_responses_times_nps_with_no_volume(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        result = cockpit.why_it_moved("nps", START, END, by="segment")
    # Q: SMB 2 promoters - 1 detractor over 4, Enterprise 1 - 1 over 2: NPS 1/6;
    # P: SMB 2 - 0 over 2, Enterprise 1 - 3 over 4: NPS 0. Change -1/6 = -16.67 points.
    # SMB mix (1/3 - 2/3) * (1/4 + 1)/2 = -5/24, rate (1 - 1/4) * (2/3 + 1/3)/2 = 3/8
    # Ent mix (2/3 - 1/3) * (0 - 1/2)/2 = -1/12, rate (-1/2 - 0) * (1/3 + 2/3)/2 = -1/4
    split = result["decomposition"]
    assert split["total_change"] == pytest.approx(-100 / 6)
    assert split["volume"] == 0
    smb, ent = members(result)["SMB"], members(result)["Enterprise"]
    assert (smb["mix"], smb["rate"]) == pytest.approx((-500 / 24, 37.5))
    assert (ent["mix"], ent["rate"]) == pytest.approx((-100 / 12, -25.0))
    assert_adds_up(result)


def test_active_customers_are_the_books_times_the_share_active(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        result = cockpit.why_it_moved("active_customers", START, END, by="segment")
    # Books at Q's end: SMB s1 s2 s4 = 3, Enterprise e1 e2 = 2; at P's end SMB 4 (s3 joined), Ent 2.
    # Active Q: SMB 2, Ent 1 (3 of 5); P: SMB 3, Ent 2 (5 of 6). Change 2.
    # volume = (6 - 5) * (3/5 + 5/6)/2 = 43/60; midpoint base 11/2;
    # SMB mix (2/3 - 3/5) * (2/3 + 3/4)/2 * 11/2 = 17/360 * 11/2, rate (3/4 - 2/3) * (3/5 + 2/3)/2
    #     * 11/2 = 19/360 * 11/2; Ent mix (1/3 - 2/5) * (1/2 + 1)/2 * 11/2 = -1/20 * 11/2,
    #     rate (1 - 1/2) * (2/5 + 1/3)/2 * 11/2 = 11/60 * 11/2
    split = result["decomposition"]
    half = F(11, 2)
    assert split["total_change"] == 2
    assert split["volume"] == pytest.approx(float(F(43, 60)))
    smb, ent = members(result)["SMB"], members(result)["Enterprise"]
    assert (smb["previous_base"], smb["base"], ent["previous_base"], ent["base"]) == (3, 4, 2, 2)
    assert smb["mix"] == pytest.approx(float(F(17, 360) * half))
    assert smb["rate"] == pytest.approx(float(F(19, 360) * half))
    assert ent["mix"] == pytest.approx(float(F(-1, 20) * half))
    assert ent["rate"] == pytest.approx(float(F(11, 60) * half))
    assert_adds_up(result)


def test_a_published_store_gives_the_same_split(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ensure_store(Path(tmp) / "store", folder)
        with Cockpit.open(Path(tmp) / "store") as rolled, Cockpit.open(folder) as loaded:
            for kpi in ("revenue", "active_customers", "nps"):
                args = (kpi, START, END)
                assert rolled.why_it_moved(*args) == loaded.why_it_moved(*args), kpi


def test_customers_unknown_to_the_crm_are_their_own_books(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path,
        customers=[customer("s1", signup="2024-01-01")],
        orders=[order("a", "s1", QD, 10), order("b", "ghost", PD, 20), order("c", "s1", PD, 5)],
    )
    with Cockpit.open(folder) as cockpit:
        result = cockpit.why_it_moved("active_customers", START, END, by="region")
    unknown = members(result)["Unknown"]
    assert (unknown["previous_base"], unknown["base"]) == (0, 1)
    assert result["decomposition"]["total_change"] == 1
    assert_adds_up(result)


@pytest.mark.parametrize(
    ("answers", "empty"),
    [
        ([nps("p1", "s1", PD, 10)], "Q"),  # nobody answered in Q
        ([nps("q1", "s1", QD, 10)], "P"),  # nobody answered in P
        ([], "both"),
    ],
)
def test_nps_without_answers_in_a_period_says_why_there_is_no_split(
    tmp_path: Path, answers: list[dict], empty: str
) -> None:
    """NPS over no responses is undefined, so its change has nothing to split: the answer
    says so in words rather than failing."""
    folder = write_folder(
        tmp_path,
        customers=[customer("s1")],
        orders=[order("a", "s1", QD, 10)],
        nps_responses=answers or [nps("x", "s1", "2020-01-01", 5)],
    )
    with Cockpit.open(folder) as cockpit:
        result = cockpit.why_it_moved("nps", START, END)
    assert result["decomposition"] is None, empty
    assert result["reason"] == "no responses in one of the periods, so nps has no change to split"


def test_bad_arguments_are_named(folder: Path) -> None:
    with Cockpit.open(folder) as cockpit:
        with pytest.raises(ArgumentError, match="churn_rate"):
            cockpit.why_it_moved("churn_rate", START, END)
        with pytest.raises(ArgumentError, match="did you mean"):
            cockpit.why_it_moved("revenue", START, END, by="segmnt")


def test_on_the_sample_every_split_adds_up() -> None:
    with Cockpit.open("sample_data") as cockpit:
        for kpi in ("revenue", "active_customers", "nps"):
            for by in ("segment", "region", "tier"):
                result = cockpit.why_it_moved(kpi, "2026-07-01", "2026-09-30", by=by)
                now = cockpit.kpis("2026-07-01", "2026-09-30")["kpis"][kpi]
                split = result["decomposition"]
                assert split["total_change"] == pytest.approx(now["value"] - now["previous"])
                assert_adds_up(result)
