"""Tests for respons.analysis.erlang against independent reference computations."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from scipy.special import hyp1f1

from respons.analysis.erlang import (
    ErlangAResult,
    ErlangResult,
    agents_needed,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
)

# ---------------------------------------------------------------- independent references


def ref_erlang_b(c: int, a: Fraction) -> Fraction:
    """Textbook formula with exact rational arithmetic and factorials."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def ref_erlang_c(c: int, a: Fraction) -> Fraction:
    """Textbook Erlang C formula (exact) for a < c."""
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def log_ref_erlang_b(c: int, a: float) -> float:
    """Log-space Erlang B via lgamma (a different route than the recursion)."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    m = max(logs)
    return math.exp(logs[-1] - m) / sum(math.exp(x - m) for x in logs)


def ref_erlang_a_service_level(
    arrivals_per_hour: float, aht_s: float, c: int, target_s: float, patience_s: float
) -> tuple[float, float]:
    """(P(answered within target), P(wait)) for M/M/c+M in 80-digit Decimal arithmetic.

    Stationary law from the product formula; for a caller with j waiting ahead the virtual
    wait is hypoexponential with distinct rates r_i = c mu + i theta (i = 0..j), density
    sum_i C_i r_i exp(-r_i v) with C_i = prod_{k != i} r_k / (r_k - r_i), so
    P(V <= t, patience > V) = sum_i C_i r_i / (r_i + theta) (1 - exp(-(r_i + theta) t)).
    """
    with localcontext() as ctx:
        ctx.prec = 80
        lam = Decimal(arrivals_per_hour) / 3600
        mu = 1 / Decimal(aht_s)
        th = 1 / Decimal(patience_s)
        t = Decimal(target_s)
        a = lam / mu
        q = [a**n / math.factorial(n) for n in range(c + 1)]
        k = 1
        while q[-1] > Decimal("1e-40") * sum(q) or k < 5:
            q.append(q[-1] * lam / (c * mu + k * th))
            k += 1
        total = sum(q)
        p = [x / total for x in q]
        sl = sum(p[:c])
        for j, pj in enumerate(p[c:]):
            r = [c * mu + i * th for i in range(j + 1)]
            g = Decimal(0)
            for i, ri in enumerate(r):
                ci = Decimal(1)
                for kk, rk in enumerate(r):
                    if kk != i:
                        ci *= rk / (rk - ri)
                g += ci * ri / (ri + th) * (1 - (-(ri + th) * t).exp())
            sl += pj * g
        return float(sl), float(sum(p[c:]))


# ---------------------------------------------------------------- Erlang B / C


def test_erlang_b_simple_values() -> None:
    for a in (0.0, 0.1, 0.5, 1.0, 3.7, 50.0):
        assert erlang_b(1, a) == pytest.approx(a / (1 + a), rel=1e-14, abs=1e-300)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    # Table value B(10, 5 erlangs) = 0.0183846 (exact: 5^10/10! / sum_k 5^k/k!).
    assert erlang_b(10, 5.0) == pytest.approx(0.0183846, abs=5e-8)
    assert erlang_b(10, 5.0) == pytest.approx(float(ref_erlang_b(10, Fraction(5))), rel=1e-13)


def test_erlang_c_simple_values() -> None:
    for a in (0.0, 0.1, 0.5, 0.9, 0.999):
        assert erlang_c(1, a) == pytest.approx(a, rel=1e-12, abs=1e-300)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-14)
    # Unstable loads: everyone waits.
    assert erlang_c(1, 1.0) == 1.0
    assert erlang_c(3, 3.5) == 1.0
    assert erlang_c(0, 0.0) == 1.0


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 13, 20, 30])
def test_erlang_b_c_match_factorial_formula(c: int) -> None:
    for a in (
        Fraction(1, 10),
        Fraction(1, 2),
        Fraction(c, 2),
        Fraction(9 * c, 10),
        Fraction(99 * c, 100),
        Fraction(2 * c),
        Fraction(7, 3),
    ):
        assert erlang_b(c, float(a)) == pytest.approx(float(ref_erlang_b(c, a)), rel=1e-12)
        if a < c:
            assert erlang_c(c, float(a)) == pytest.approx(float(ref_erlang_c(c, a)), rel=1e-11)
        else:
            assert erlang_c(c, float(a)) == 1.0


@pytest.mark.parametrize("c", [200, 500])
def test_stable_for_many_agents(c: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a in (1.0, 0.5 * c, 0.9 * c, 0.99 * c, c - 1e-6, 1.2 * c, 10.0 * c):
            b = erlang_b(c, a)
            pw = erlang_c(c, a)
            assert math.isfinite(b) and 0.0 <= b <= 1.0
            assert math.isfinite(pw) and 0.0 <= pw <= 1.0
            assert pw >= b  # waiting is at least as likely as blocking
            assert b == pytest.approx(log_ref_erlang_b(c, a), rel=1e-10, abs=1e-300)
        r = erlang_c_metrics(3600 * 0.95 * c / 240, 240, c, 20)
        assert all(math.isfinite(v) for v in r.as_dict().values())
        ra = erlang_a_metrics(3600 * 1.05 * c / 240, 240, c, 20, 120)
        assert all(math.isfinite(v) for v in ra.as_dict().values())
        assert 0.0 < ra.abandon_probability < 1.0 and 0.0 < ra.service_level < 1.0


def test_erlang_c_metrics_mm1() -> None:
    lam_h, aht, t = 9.0, 240.0, 60.0
    lam, mu = lam_h / 3600, 1 / aht
    rho = lam / mu
    r = erlang_c_metrics(lam_h, aht, 1, t)
    assert isinstance(r, ErlangResult)
    assert r.wait_probability == pytest.approx(rho, rel=1e-12)
    assert r.mean_wait_s == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert r.service_level == pytest.approx(1 - rho * math.exp(-(mu - lam) * t), rel=1e-12)
    assert r.occupancy == pytest.approx(rho, rel=1e-12)


def test_erlang_c_metrics_worked_example() -> None:
    # 360 calls/h, AHT 240 s -> 24 erlangs; check against the exact rational formula.
    c, a = 30, Fraction(24)
    pw = float(ref_erlang_c(c, a))
    r = erlang_c_metrics(360, 240, c, 20)
    assert r.wait_probability == pytest.approx(pw, rel=1e-12)
    assert r.service_level == pytest.approx(1 - pw * math.exp(-6 * 20 / 240), rel=1e-12)
    assert r.mean_wait_s == pytest.approx(pw * 240 / 6, rel=1e-12)
    assert r.occupancy == pytest.approx(0.8)
    d = r.as_dict()
    assert set(d) == {"agents", "wait_probability", "service_level", "mean_wait_s", "occupancy"}
    assert d["agents"] == 30


def test_erlang_c_metrics_unstable() -> None:
    r = erlang_c_metrics(360, 240, 24, 20)
    assert (r.wait_probability, r.service_level, r.mean_wait_s, r.occupancy) == (
        1.0,
        0.0,
        math.inf,
        1.0,
    )
    r = erlang_c_metrics(720, 240, 24, 20)
    assert r.occupancy == 1.0


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang_c(2, -0.5)
    with pytest.raises(ValueError):
        erlang_c_metrics(10, 0, 2, 20)
    with pytest.raises(ValueError):
        erlang_c_metrics(10, 240, 0, 20)
    with pytest.raises(ValueError):
        erlang_a_metrics(10, 240, 2, 20, 0.0)
    with pytest.raises(ValueError):
        agents_needed(10, 240, 20, 1.5)


# ---------------------------------------------------------------- Erlang A


@pytest.mark.parametrize(
    ("lam_h", "aht", "c", "t"),
    [(6, 240, 1, 120), (9, 240, 1, 30), (100, 180, 6, 20), (360, 240, 30, 20), (120, 300, 12, 60)],
)
def test_erlang_a_infinite_patience_limit(lam_h: float, aht: float, c: int, t: float) -> None:
    rc = erlang_c_metrics(lam_h, aht, c, t)
    ra = erlang_a_metrics(lam_h, aht, c, t, 1e9)
    assert ra.service_level == pytest.approx(rc.service_level, abs=1e-6)
    assert ra.wait_probability == pytest.approx(rc.wait_probability, abs=1e-6)
    assert ra.mean_wait_s == pytest.approx(rc.mean_wait_s, rel=1e-5)
    assert ra.occupancy == pytest.approx(rc.occupancy, abs=1e-6)
    assert ra.abandon_probability < 1e-6
    inf = erlang_a_metrics(lam_h, aht, c, t, math.inf)
    assert inf.service_level == rc.service_level and inf.abandon_probability == 0.0


@pytest.mark.parametrize(
    ("lam_h", "aht", "patience"), [(6, 240, 60), (20, 240, 300), (30, 240, 30), (10, 100, 1000)]
)
def test_erlang_a_mm1_abandonment_closed_form(lam_h: float, aht: float, patience: float) -> None:
    # M/M/1+M: p_n = p_0 prod_{k<n} lam / (mu + k theta), so 1/p_0 = 1F1(1; mu/theta; lam/theta);
    # served rate mu (1 - p_0) = lam (1 - P_ab).
    lam, mu, th = lam_h / 3600, 1 / aht, 1 / patience
    p0 = 1 / hyp1f1(1.0, mu / th, lam / th)
    r = erlang_a_metrics(lam_h, aht, 1, 20, patience)
    assert isinstance(r, ErlangAResult)
    assert r.wait_probability == pytest.approx(1 - p0, rel=1e-10)
    assert r.abandon_probability == pytest.approx(1 - mu * (1 - p0) / lam, rel=1e-9)
    assert r.occupancy == pytest.approx(1 - p0, rel=1e-10)


@pytest.mark.parametrize(
    ("lam_h", "aht", "c", "t", "patience"),
    [(20, 240, 1, 60, 300), (6, 240, 1, 120, 60), (50, 240, 3, 30, 180), (40, 120, 2, 45, 120)],
)
def test_erlang_a_service_level_against_hypoexponential_reference(
    lam_h: float, aht: float, c: int, t: float, patience: float
) -> None:
    sl_ref, pw_ref = ref_erlang_a_service_level(lam_h, aht, c, t, patience)
    r = erlang_a_metrics(lam_h, aht, c, t, patience)
    assert r.service_level == pytest.approx(sl_ref, abs=1e-10)
    assert r.wait_probability == pytest.approx(pw_ref, abs=1e-12)


@pytest.mark.parametrize(
    ("lam_h", "aht", "c", "patience"), [(360, 240, 24, 120), (360, 240, 20, 60), (50, 300, 2, 90)]
)
def test_erlang_a_conservation_laws(lam_h: float, aht: float, c: int, patience: float) -> None:
    lam, mu = lam_h / 3600, 1 / aht
    r = erlang_a_metrics(lam_h, aht, c, 20, patience)
    # Served throughput equals the busy-agent rate: lam (1 - P_ab) = mu c occupancy.
    assert lam * (1 - r.abandon_probability) == pytest.approx(mu * c * r.occupancy, rel=1e-10)
    # Abandonment is theta times the mean queue time: P_ab = E[W] / patience.
    assert r.abandon_probability == pytest.approx(r.mean_wait_s / patience, rel=1e-12)
    # Zero target: only callers finding a free agent count.
    r0 = erlang_a_metrics(lam_h, aht, c, 0.0, patience)
    assert r0.service_level == pytest.approx(1 - r.wait_probability, abs=1e-15)
    # Huge target: every caller that is answered at all counts.
    big = erlang_a_metrics(lam_h, aht, c, 1e6, patience)
    assert big.service_level == pytest.approx(1 - r.abandon_probability, abs=1e-10)
    assert big.answered_within_target_of_answered == pytest.approx(1.0, abs=1e-10)
    assert r.answered_within_target_of_answered == pytest.approx(
        r.service_level / (1 - r.abandon_probability), rel=1e-12
    )


def test_erlang_a_monotone_in_agents() -> None:
    results = [erlang_a_metrics(360, 240, c, 20, 90) for c in range(15, 40)]
    for lo, hi in zip(results, results[1:], strict=False):
        assert hi.service_level > lo.service_level
        assert hi.abandon_probability < lo.abandon_probability
        assert hi.wait_probability < lo.wait_probability
        assert hi.mean_wait_s < lo.mean_wait_s
    # Shorter patience: more abandonment, shorter wait for those in queue.
    short = erlang_a_metrics(360, 240, 24, 20, 30)
    long_ = erlang_a_metrics(360, 240, 24, 20, 300)
    assert short.abandon_probability > long_.abandon_probability
    assert short.mean_wait_s < long_.mean_wait_s


def test_erlang_a_no_arrivals() -> None:
    r = erlang_a_metrics(0.0, 240, 3, 20, 60)
    assert r.service_level == 1.0 and r.wait_probability == 0.0 and r.abandon_probability == 0.0


# ---------------------------------------------------------------- agents_needed


def test_agents_needed_erlang_c_is_minimal() -> None:
    c = agents_needed(6, 240, 120, 0.98)
    assert c == 3
    assert erlang_c_metrics(6, 240, c, 120).service_level >= 0.98
    assert erlang_c_metrics(6, 240, c - 1, 120).service_level < 0.98


@pytest.mark.parametrize(
    ("lam_h", "aht", "t", "sl"), [(360, 240, 20, 0.8), (100, 180, 30, 0.9), (1, 600, 60, 0.5)]
)
def test_agents_needed_minimal(lam_h: float, aht: float, t: float, sl: float) -> None:
    c = agents_needed(lam_h, aht, t, sl)
    assert erlang_c_metrics(lam_h, aht, c, t).service_level >= sl
    if c > 1:
        assert erlang_c_metrics(lam_h, aht, c - 1, t).service_level < sl
    ca = agents_needed(lam_h, aht, t, sl, patience_s=60)
    assert erlang_a_metrics(lam_h, aht, ca, t, 60).service_level >= sl
    if ca > 1:
        assert erlang_a_metrics(lam_h, aht, ca - 1, t, 60).service_level < sl


def test_agents_needed_unreachable() -> None:
    with pytest.raises(ValueError):
        agents_needed(3600, 240, 20, 0.8, max_agents=100)
    assert agents_needed(6, 240, 120, 0.0) == 1
