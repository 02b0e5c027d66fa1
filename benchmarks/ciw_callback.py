"""An independent Ciw model of respons/data/validation/callback.yaml: the two-stage urgent-care
call centre of the public stars-ciw-example. Poisson calls, 100 per hour; 13 operators,
triangular(5, 7, 10) minute calls; 40 % of the answered callers then wait for one of 11
nurses, uniform(10, 20) minute call-backs. Time unit: minutes.

    python benchmarks/ciw_callback.py [--replications N] [--days D] [--seed S] [--within X]

Each replication starts empty, takes callers arriving in the first D days and runs on until
all of them are served (as respons does with its drain days). Prints one JSON object: per
replication the mean operator and nurse waits (s) and the shares waiting at most X s. Needs
Ciw (the `bench` extra: pip install ciw==3.2.7).
"""

from __future__ import annotations

import argparse
import json

import ciw

CALLS_PER_MIN = 100 / 60
OPERATORS, NURSES = 13, 11
CALLBACK_SHARE = 0.4


def network() -> ciw.Network:
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=CALLS_PER_MIN), None],
        service_distributions=[ciw.dists.Triangular(lower=5, mode=7, upper=10),
                               ciw.dists.Uniform(lower=10, upper=20)],
        routing=[[0.0, CALLBACK_SHARE], [0.0, 0.0]],
        number_of_servers=[OPERATORS, NURSES],
    )


def replication(seed: int, days: float, drain_days: float,
                within_s: float) -> dict[str, float]:
    """Mean waits (s) and shares waiting at most `within_s` of callers arriving in the first
    `days` days, at the operators (node 1) and for the nurse call-back (node 2)."""
    ciw.seed(seed)
    sim = ciw.Simulation(network())
    horizon = days * 1440.0
    sim.simulate_until_max_time((days + drain_days) * 1440.0)
    first = {}  # a caller's arrival at node 1 decides whether it counts, for both stages
    for r in sim.get_all_records():
        if r.node == 1:
            first[r.id_number] = r.arrival_date
    out: dict[str, float] = {}
    for node, name in ((1, "operator"), (2, "nurse")):
        waits = [60.0 * r.waiting_time for r in sim.get_all_records()
                 if r.node == node and first.get(r.id_number, horizon) < horizon]
        out[f"{name}_wait_mean_s"] = sum(waits) / len(waits)
        out[f"{name}_within_share"] = sum(w <= within_s for w in waits) / len(waits)
        out[f"{name}_served"] = len(waits)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--drain-days", type=float, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--within", type=float, default=120.0, help="seconds")
    args = parser.parse_args()
    reps = [replication(args.seed + k, args.days, args.drain_days, args.within)
            for k in range(args.replications)]
    print(json.dumps({"replications": reps}))


if __name__ == "__main__":
    main()
