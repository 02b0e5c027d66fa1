"""The one palette of every figure: each colour means one thing, in every figure.

Categories of contact keep their colour wherever they appear (arrivals, busy staff, service
level, the sweep); outcomes have colours of their own that no category uses; the goal and the
answer-time limit are the only vermilion; black is a reference (expected from the config,
staff on duty, a mean), greys are single replications and intervals; a service-level band
takes its category's colour, lighter. Alarm priorities are told apart by line style, not
colour. Heat maps use one sequential grey scale. The hues are from the Okabe-Ito set
(readable with colour-vision deficiencies).
"""

from __future__ import annotations

CATEGORY = {"alarm": "#0072B2",      # blue
            "technical": "#E69F00",  # orange
            "legevakt": "#009E73",   # bluish green
            # tasks (work that is not an inbound call), from Paul Tol's muted set
            "callback": "#999933",   # olive
            "walk_in": "#882255",    # wine
            "it_work": "#44AA99",    # teal
            "visit": "#332288"}      # indigo
OUTCOME = {"resolved_by_operator": "#CC79A7",  # reddish purple
           "homecare": "#56B4E9",              # sky blue
           "emergency": "#8C510A",             # brown
           "it_technical": "#F0E442"}          # yellow
GOAL = "#D55E00"          # vermilion: the goal and the answer-time limit, nothing else
REFERENCE = "#000000"     # black: a reference value (expected from the config, staff on duty,
ON_DUTY = EXPECTED = MEAN = REFERENCE  # a mean over replications)
REPLICATION = "#8C8C8C"   # grey: one replication (diagnostics)
CI_BAND = "#C8C8C8"       # light grey: a confidence interval drawn as a bar
EDGE = "#FFFFFF"          # separators between stacked pieces
HEAT_MAP = "Greys"        # every heat map
PRIORITY_STYLES = ("-", "--", ":", "-.")  # alarm priorities 0, 1, 2, ... (alarm colour)

ALL = {**{f"category:{k}": v for k, v in CATEGORY.items()},
       **{f"outcome:{k}": v for k, v in OUTCOME.items()}, "goal": GOAL}


def category(name: str) -> str:
    """The colour of a category (grey for one this palette does not know)."""
    return CATEGORY.get(name, EXPECTED)


def outcome(name: str) -> str:
    """The colour of an outcome (grey for one this palette does not know)."""
    return OUTCOME.get(name, REPLICATION)
