"""The benchmark model of benchmarks/mm2.yaml written for Ciw: M/M/2, 4.6 arrivals per hour,
exponential service with mean 240 s, two servers, one 365-day year per replication.

    python benchmarks/ciw_mm2.py [--years K] [--days D] [--seed S]

Runs K independent years (of D days, default 365) in this process and prints one JSON line:
customers served, mean wait, and the seconds spent simulating. Needs the optional extra
`bench` (pip install -e ".[bench]").
"""

from __future__ import annotations

import argparse
import json
import time

import ciw

LAMBDA_PER_S = 4.6 / 3600.0
MEAN_SERVICE_S = 240.0
SERVERS = 2
DAY_S = 86400.0


def one_year(seed: int, days: float = 365) -> tuple[int, float]:
    """Customers served and their mean wait (s) in one simulated year (of `days` days)."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA_PER_S)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / MEAN_SERVICE_S)],
        number_of_servers=[SERVERS],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(days * DAY_S)
    records = sim.get_all_records()
    waits = [r.waiting_time for r in records]
    return len(records), sum(waits) / len(waits) if waits else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    t0 = time.perf_counter()
    served, waits = 0, []
    for k in range(args.years):
        n, w = one_year(args.seed + k, args.days)
        served += n
        waits.append(w)
    print(json.dumps({"years": args.years, "customers": served,
                      "mean_wait_s": sum(waits) / len(waits),
                      "simulate_s": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
