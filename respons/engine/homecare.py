"""Home-care visits for forwarded alarms: dispatch delay, travel, time on site, optional teams.

Home care does not feed back into the centre, so visits are computed after the centre's run
as a first-come-first-served multi-team queue per municipality (a team is busy for travel
there, time on site and travel back). Pure numpy/heapq: no SimPy needed.
"""

from __future__ import annotations

import heapq

import numpy as np

from respons.config import HomeCare


def help_arrival(
    request_s: np.ndarray, homecare: HomeCare, rng: np.random.Generator
) -> np.ndarray:
    """Time help arrives for each request (end of the forwarding call), in input order."""
    n = request_s.size
    delay = homecare.dispatch_delay.sample(rng, n)
    travel = homecare.travel.sample(rng, n)
    on_site = homecare.on_site.sample(rng, n)
    ready = request_s + delay
    if homecare.teams is None:
        return ready + travel
    order = np.argsort(ready, kind="stable")
    teams = [0.0] * homecare.teams
    depart = np.empty(n)
    for j in order.tolist():
        free_at = heapq.heappop(teams)
        start = max(free_at, float(ready[j]))
        depart[j] = start
        heapq.heappush(teams, start + 2 * float(travel[j]) + float(on_site[j]))
    return depart + travel
