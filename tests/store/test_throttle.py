"""Passphrase guessing is slowed per client and across clients."""

from __future__ import annotations

from cxcore.store.roles import Throttle


def test_a_few_misses_are_free_then_each_waits_twice_as_long() -> None:
    throttle = Throttle(free_misses=3, first_wait_s=2, longest_wait_s=16, per_minute=100)
    now = 1000.0
    for _ in range(3):
        assert throttle.wait("a", now) == 0
        throttle.missed("a", now)
    assert throttle.wait("a", now) == 2  # 4th attempt: 2 s after the 3rd miss
    assert throttle.wait("a", now + 2) == 0
    throttle.missed("a", now + 2)
    assert throttle.wait("a", now + 2) == 4
    for step in range(5):
        throttle.missed("a", now + 10 * step)
    assert throttle.wait("a", now + 40) == 16  # capped
    assert throttle.wait("b", now + 40) == 0  # another client is not slowed by a's misses


def test_a_right_passphrase_clears_the_client() -> None:
    throttle = Throttle(free_misses=1, first_wait_s=5, per_minute=100)
    throttle.missed("a", 0)
    assert throttle.wait("a", 0) == 5
    throttle.passed("a")
    assert throttle.wait("a", 0) == 0


def test_many_clients_together_are_limited_per_minute() -> None:
    throttle = Throttle(free_misses=99, per_minute=10)
    for client in range(10):
        throttle.missed(f"c{client}", 100.0 + client)
    assert throttle.wait("fresh", 110.0) == 50.0  # the oldest miss leaves the minute at 160
    assert throttle.wait("fresh", 161.0) == 0
