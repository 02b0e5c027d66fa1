"""Analytic queueing formulas (Erlang B, C and A) for staffing estimates.

These closed-form / exactly computable models give a quick cross-check of the discrete-event
simulator and a first guess at how many operators a shift needs:

* Erlang B (M/M/c/c): blocking probability when callers cannot wait.
* Erlang C (M/M/c): callers wait with infinite patience.
* Erlang A (M/M/c+M): callers wait but abandon after an exponential patience time.

Everything is computed with recursions or in log space (no factorials), so the functions stay
finite and accurate for hundreds of agents.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = [
    "ChainTooLargeError",
    "TooCostlyError",
    "ErlangAResult",
    "ErlangResult",
    "agents_needed",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
]

#: Relative stationary mass allowed beyond the truncation point of the Erlang A chain.
TAIL_TOLERANCE = 1e-14
#: Hard cap on the number of states of the truncated Erlang A chain (guards memory/time when
#: patience is huge and the load exceeds the number of agents).
MAX_STATES = 2_000_000


#: Most work (steps x states) spent on the Erlang A service level: about a second. Beyond it
#: (heavy overload with long patience and a long target) the exact computation would take
#: minutes to hours.
MAX_EXPM_WORK = 4e8


class ChainTooLargeError(ValueError):
    """The truncated Erlang A chain would exceed ``MAX_STATES`` states."""


class TooCostlyError(ValueError):
    """The exact Erlang A service level would take far too long to compute (MAX_EXPM_WORK)."""


def _check_agents(agents: int, minimum: int = 0) -> None:
    if isinstance(agents, bool) or int(agents) != agents or agents < minimum:
        raise ValueError(f"agents must be an integer >= {minimum}, got {agents!r}")


def _check_nonneg(name: str, value: float) -> None:
    if not (value >= 0.0) or math.isnan(value):
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def erlang_b(agents: int, offered_load: float) -> float:
    """Erlang B blocking probability for ``agents`` servers and ``offered_load`` erlangs.

    Uses the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which never forms
    factorials or powers and so does not overflow for large ``agents``.
    """
    _check_agents(agents)
    _check_nonneg("offered_load", offered_load)
    a = float(offered_load)
    b = 1.0
    for k in range(1, int(agents) + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_c(agents: int, offered_load: float) -> float:
    """Erlang C probability that an arriving call must wait (M/M/c, infinite patience).

    Derived from Erlang B via C = c B / (c - a (1 - B)). Returns 1.0 when the system is unstable
    (``offered_load >= agents``), since then every caller eventually waits.
    """
    _check_agents(agents)
    _check_nonneg("offered_load", offered_load)
    c = int(agents)
    a = float(offered_load)
    if a >= c:
        return 1.0
    if a == 0.0:
        return 0.0
    b = erlang_b(c, a)
    return min(1.0, c * b / (c - a * (1.0 - b)))


@dataclass(frozen=True)
class ErlangResult:
    """Steady-state performance of a staffing level.

    ``service_level`` is the fraction of all arrivals answered within the target time,
    ``mean_wait_s`` the mean time in queue over all arrivals, ``occupancy`` the mean fraction
    of agents busy.
    """

    agents: int
    wait_probability: float
    service_level: float
    mean_wait_s: float
    occupancy: float

    def as_dict(self) -> dict[str, float | int]:
        """Plain ``dict`` of the fields (for tables, JSON or DataFrames)."""
        return asdict(self)


@dataclass(frozen=True)
class ErlangAResult(ErlangResult):
    """Erlang A result: adds abandonment.

    ``abandon_probability`` is the fraction of arrivals that hang up before being answered;
    ``answered_within_target_of_answered`` is the service level among answered calls only.
    ``mean_wait_s`` counts the queue time of served and abandoned callers alike.
    """

    abandon_probability: float
    answered_within_target_of_answered: float


def _rates(arrivals_per_hour: float, aht_s: float) -> tuple[float, float]:
    """Convert inputs to (lambda per second, mu per second), validating them."""
    _check_nonneg("arrivals_per_hour", arrivals_per_hour)
    if not (aht_s > 0.0) or math.isinf(aht_s):
        raise ValueError(f"aht_s must be a positive finite number, got {aht_s!r}")
    return arrivals_per_hour / 3600.0, 1.0 / aht_s


def erlang_c_metrics(
    arrivals_per_hour: float, aht_s: float, agents: int, target_s: float
) -> ErlangResult:
    """Erlang C (M/M/c) service level, mean wait and occupancy for ``agents`` operators.

    service_level = 1 - C exp(-(c - a) t / AHT), mean wait = C AHT / (c - a), occupancy = a / c.
    For an unstable load (a >= c) the queue grows without bound: wait probability 1, service
    level 0, infinite mean wait, occupancy 1.
    """
    _check_agents(agents, minimum=1)
    _check_nonneg("target_s", target_s)
    lam, mu = _rates(arrivals_per_hour, aht_s)
    c = int(agents)
    a = lam / mu
    if a >= c:
        return ErlangResult(c, 1.0, 0.0, math.inf, min(a / c, 1.0))
    pw = erlang_c(c, a)
    sl = 1.0 - pw * math.exp(-(c - a) * target_s / aht_s)
    wait = pw * aht_s / (c - a)
    return ErlangResult(c, pw, min(max(sl, 0.0), 1.0), wait, a / c)


def _erlang_a_stationary(lam: float, mu: float, theta: float, c: int) -> np.ndarray:
    """Stationary distribution p_0..p_N of the M/M/c+M birth-death chain, truncated at N >= c.

    Built in log space: log q_n = log q_{n-1} + log(lambda / death_n) with death_n =
    min(n, c) mu + max(n - c, 0) theta. The death rates increase, so the ratios decrease and
    once ratio r < 1 the tail beyond n is at most q_n r / (1 - r); the chain is extended in
    growing chunks until that bound is below ``TAIL_TOLERANCE`` times the mass so far.
    """
    from scipy.special import logsumexp  # scipy only where Erlang A needs it

    if (lam - c * mu) / theta > MAX_STATES:
        # The mode of the queue length lies near (lambda - c mu) / theta: too far out.
        raise ChainTooLargeError(
            "Erlang A chain needs more than MAX_STATES states (patience too long for an "
            "overloaded system); use erlang_c_metrics or a shorter patience"
        )
    n = np.arange(1, c + 1, dtype=float)
    log_q = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(n * mu))))
    chunk = 256
    k0 = 1  # number of waiting callers in the next state to add
    log_tol = math.log(TAIL_TOLERANCE)
    while True:
        k = np.arange(k0, k0 + chunk, dtype=float)
        steps = math.log(lam) - np.log(c * mu + k * theta)
        log_q = np.concatenate((log_q, log_q[-1] + np.cumsum(steps)))
        k0 += chunk
        # Candidate truncation states n = c + w; log ratio q_{n+1} / q_n.
        w = np.arange(log_q.size - c, dtype=float)
        log_r = math.log(lam) - np.log(c * mu + (w + 1.0) * theta)
        r = np.exp(log_r)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = log_q[c:] + log_r - np.log1p(-np.minimum(r, 1.0))
        ok = (r < 1.0) & (bound < log_tol + logsumexp(log_q))
        if ok.any():
            log_q = log_q[: c + int(np.argmax(ok)) + 1]
            break
        if log_q.size > MAX_STATES:
            raise ChainTooLargeError(
                "Erlang A chain needs more than MAX_STATES states (patience too long for an "
                "overloaded system); use erlang_c_metrics or a shorter patience"
            )
        chunk *= 2
    return np.exp(log_q - logsumexp(log_q))


def _answered_within(
    queue_probs: np.ndarray, c: int, mu: float, theta: float, target_s: float
) -> float:
    """Sum over j of queue_probs[j] * P(answered within target | j callers waiting ahead).

    A tagged caller with i callers ahead moves to i - 1 (or to an agent when i = 0) at rate
    c mu + i theta (a service completion or an abandonment ahead of it), and leaves by its own
    abandonment at rate theta. P(answered within t | j) = E[1{V <= t} exp(-theta V)] is the
    probability of absorption in "answered" by time t of this pure-death chain with killing,
    computed exactly by uniformisation: with L the largest leaving rate, the chain's
    distribution at t is sum_k Poisson(k; L t) x_k, x_k after k steps of the jump chain
    I + Q / L (nonnegative terms only, so no cancellation). Raises TooCostlyError when that
    needs more than MAX_EXPM_WORK operations.
    """
    from scipy.special import gammainccinv, gammaln  # scipy only where Erlang A needs it

    if target_s <= 0.0 or queue_probs.size == 0:
        return 0.0
    m = queue_probs.size
    # Every state is left at rate >= c mu + theta, so absorption from j ahead is stochastically
    # faster than Gamma(j + 1, c mu + theta); beyond its 1 - 1e-17 quantile nothing changes, and
    # capping the horizon there keeps long targets cheap.
    horizon = float(gammainccinv(m, 1e-17)) / (c * mu + theta)
    target_s = min(target_s, horizon)
    i = np.arange(m, dtype=float)
    leave = c * mu + (i + 1.0) * theta  # state "i ahead": progress or own abandonment
    ahead = c * mu + i * theta  # to "i - 1 ahead" (to an agent from 0 ahead)
    rate = float(leave[-1])
    lt = rate * target_s
    steps = int(math.ceil(lt + 10.0 * math.sqrt(lt) + 30.0))
    work = steps * (m + 2000.0)  # one pass over the states, plus numpy's fixed cost per step
    if work > MAX_EXPM_WORK:
        raise TooCostlyError(
            f"the Erlang A service level with {m:,} queue states over {target_s:g} s needs about "
            f"{work:.2g} operations (limit {MAX_EXPM_WORK:.0g}); use a shorter target or "
            "patience, more agents, or Erlang C")
    k = np.arange(1, steps + 1, dtype=float)
    weights = np.exp(k * math.log(lt) - lt - gammaln(k + 1.0)) if lt > 0 else np.zeros(steps)
    stay, move = 1.0 - leave / rate, ahead / rate
    x, tmp = queue_probs.astype(float), np.empty(m - 1)
    answered, total = 0.0, 0.0
    for w in weights:
        answered += x[0] * move[0]
        np.multiply(x[1:], move[1:], out=tmp)
        x *= stay
        x[:-1] += tmp
        total += w * answered
    return float(min(max(total, 0.0), float(queue_probs.sum())))


def erlang_a_metrics(
    arrivals_per_hour: float,
    aht_s: float,
    agents: int,
    target_s: float,
    patience_s: float,
) -> ErlangAResult:
    """Erlang A (M/M/c+M) metrics: exponential patience with mean ``patience_s``.

    Solved exactly on the birth-death chain (truncated where the tail mass is below 1e-14).
    wait_probability = P(N >= c) seen by arrivals (PASTA); mean wait (all arrivals, until
    service or abandonment) = E[Lq] / lambda by Little's law; abandon probability =
    theta E[Lq] / lambda; service_level = P(answered within target) over all arrivals, with
    callers finding a free agent answered at 0 s. An infinite ``patience_s`` reduces to
    Erlang C.
    """
    _check_agents(agents, minimum=1)
    _check_nonneg("target_s", target_s)
    if not (patience_s > 0.0):
        raise ValueError(f"patience_s must be > 0, got {patience_s!r}")
    lam, mu = _rates(arrivals_per_hour, aht_s)
    c = int(agents)
    if math.isinf(patience_s):
        r = erlang_c_metrics(arrivals_per_hour, aht_s, c, target_s)
        return ErlangAResult(
            **r.as_dict(),
            abandon_probability=0.0,
            answered_within_target_of_answered=r.service_level,
        )
    if lam == 0.0:
        return ErlangAResult(c, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    theta = 1.0 / patience_s
    p = _erlang_a_stationary(lam, mu, theta, c)
    queue = p[c:]
    waiting = np.arange(queue.size, dtype=float)
    lq = float(waiting @ queue)
    p_wait = min(float(queue.sum()), 1.0)
    p_abandon = min(theta * lq / lam, 1.0)
    busy = float(np.minimum(np.arange(p.size), c) @ p)
    sl = (1.0 - p_wait) + _answered_within(queue, c, mu, theta, target_s)
    sl = min(max(sl, 0.0), 1.0)
    answered = 1.0 - p_abandon
    sl_answered = min(sl / answered, 1.0) if answered > 0.0 else 0.0
    return ErlangAResult(
        agents=c,
        wait_probability=p_wait,
        service_level=sl,
        mean_wait_s=lq / lam,
        occupancy=min(busy / c, 1.0),
        abandon_probability=p_abandon,
        answered_within_target_of_answered=sl_answered,
    )


def agents_needed(
    arrivals_per_hour: float,
    aht_s: float,
    target_s: float,
    service_level: float,
    patience_s: float | None = None,
    max_agents: int = 1000,
) -> int:
    """Fewest agents whose service level (share answered within ``target_s``) is at least
    ``service_level``: Erlang C, or Erlang A when ``patience_s`` is given.

    Staffing levels whose Erlang A chain is too large to solve (millions of callers queued)
    are treated as failing. Raises ValueError if even ``max_agents`` does not suffice.
    """
    if not (0.0 <= service_level <= 1.0):
        raise ValueError(f"service_level must be in [0, 1], got {service_level!r}")
    _check_agents(max_agents, minimum=1)
    lam, mu = _rates(arrivals_per_hour, aht_s)
    a = lam / mu
    if not math.isfinite(a):
        raise ValueError(f"offered load {arrivals_per_hour!r}/h x {aht_s!r} s is too large to "
                         "staff")
    # Without abandonment fewer than a agents can never be stable; start just above the load.
    start = 1 if patience_s is not None else max(1, math.floor(a) + 1)
    for c in range(start, int(max_agents) + 1):
        if patience_s is None:
            got = erlang_c_metrics(arrivals_per_hour, aht_s, c, target_s).service_level
        else:
            try:
                res = erlang_a_metrics(arrivals_per_hour, aht_s, c, target_s, patience_s)
            except ChainTooLargeError:
                continue  # queue of millions of callers: far from any service level target
            got = res.service_level
        if got >= service_level:
            return c
    raise ValueError(f"service level {service_level} not reachable with {max_agents} agents")
