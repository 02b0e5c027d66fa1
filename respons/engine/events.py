"""The engine's per-contact output as arrays: the columns of the event table that the KPIs
read, with the labelled columns as integer codes (the simulator hands these over directly; no
DataFrame is needed to compute KPIs)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class EventArrays:
    """The event-table columns the KPIs read, one entry per contact.

    `category`, `outcome`, `answered_by` and `municipality` are codes into the label tuples
    `categories`, `outcomes`, `pools` and `municipalities` (-1 = none).
    """

    arrival_s: np.ndarray
    answer_s: np.ndarray
    end_s: np.ndarray
    wait_s: np.ndarray
    homecare_arrival_s: np.ndarray
    by_backup: np.ndarray
    rerouted: np.ndarray
    category: np.ndarray
    outcome: np.ndarray
    answered_by: np.ndarray
    municipality: np.ndarray
    categories: tuple[str, ...]
    outcomes: tuple[str, ...]
    pools: tuple[str, ...]
    municipalities: tuple[str, ...]
    # Follow-ups and tasks (None = a table without them: all rows are contacts).
    parent_id: np.ndarray | None = None  # int64 id of the parent row, -1 for own arrivals
    priority: np.ndarray | None = None  # int8
    deadline_s: np.ndarray | None = None  # float64 absolute deadline, nan = none
    origin_s: np.ndarray | None = None  # float64 arrival of the contact that began the chain
    interrupted_s: np.ndarray | None = None  # float64 s spent interrupted after the start
    cut: np.ndarray | None = None  # bool: served in pieces (interrupted), see `pieces`
    pieces: np.ndarray | None = None  # (k, 4) float: row, pool code, start, end of each
    # piece of interrupted work (not per row: kept whole by `rows`)

    @classmethod
    def from_frame(cls, ev: pd.DataFrame) -> EventArrays:
        """The arrays of an event table (categorical or plain label columns)."""
        import pandas as pd
        coded = {}
        for col, labels in (("category", "categories"), ("outcome", "outcomes"),
                            ("answered_by", "pools"), ("municipality", "municipalities")):
            s = ev[col]
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes, cats = s.cat.codes.to_numpy(), s.cat.categories
            else:
                codes, cats = pd.factorize(s, use_na_sentinel=True)
            coded[col], coded[labels] = np.asarray(codes), tuple(str(c) for c in cats)
        floats = {c: ev[c].to_numpy(dtype=float) for c in
                  ("arrival_s", "answer_s", "end_s", "wait_s", "homecare_arrival_s")}
        bools = {c: ev[c].to_numpy(dtype=bool) for c in ("by_backup", "rerouted")}
        extra = {}
        if "parent_id" in ev and ev["parent_id"].notna().any():
            parent = ev["parent_id"].fillna(-1).to_numpy(dtype=np.int64)
            extra["parent_id"] = parent
            extra["origin_s"] = origins(parent, ev["id"].to_numpy(dtype=np.int64),
                                        floats["arrival_s"])
        if "priority" in ev:
            extra["priority"] = ev["priority"].to_numpy(dtype=np.int8)
        if "deadline_s" in ev:
            extra["deadline_s"] = ev["deadline_s"].to_numpy(dtype=float)
        if "interrupted_s" in ev:  # the pieces are not in the table (see kpis.busy_seconds)
            extra["interrupted_s"] = ev["interrupted_s"].fillna(0.0).to_numpy(dtype=float)
        return cls(**floats, **bools, **coded, **extra)

    def rows(self, mask: np.ndarray) -> EventArrays:
        """The contacts where `mask` holds (labels and `pieces` kept)."""
        return EventArrays(**{
            f.name: getattr(self, f.name)[mask]
            if isinstance(getattr(self, f.name), np.ndarray) and f.name != "pieces"
            else getattr(self, f.name) for f in fields(self)
        })

    def code(self, column: str, label: str) -> int:
        """The code of `label` in a coded column (-2, matching nothing, if absent)."""
        labels = {"category": self.categories, "outcome": self.outcomes,
                  "answered_by": self.pools, "municipality": self.municipalities}[column]
        return labels.index(label) if label in labels else -2

    def __len__(self) -> int:
        return int(self.arrival_s.size)


def origins(parent: np.ndarray, ids: np.ndarray | None, arrival: np.ndarray) -> np.ndarray:
    """The arrival of the contact that began each row's chain of follow-ups (its own arrival
    for a contact), following `parent` ids (-1 = none) up to the root; `ids` None: each
    row's id is its number (no search needed)."""
    pos = np.full(parent.size, -1, dtype=np.int64)
    has = parent >= 0
    if ids is None:
        pos[has] = np.minimum(parent[has], parent.size - 1)
    else:
        order = np.argsort(ids, kind="stable")
        found = np.searchsorted(ids, parent[has], sorter=order)
        pos[has] = order[np.minimum(found, ids.size - 1)]
    root = np.arange(parent.size)
    step = pos.copy()
    while (step >= 0).any():
        moving = step >= 0
        root[moving] = step[moving]
        step = np.where(moving, pos[np.maximum(step, 0)], -1)
    return arrival[root]
