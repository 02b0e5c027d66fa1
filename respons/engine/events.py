"""The engine's per-contact output as arrays: the columns of the event table that the KPIs
read, with the labelled columns as integer codes (the simulator hands these over directly; no
DataFrame is needed to compute KPIs)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
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

    @classmethod
    def from_frame(cls, ev: pd.DataFrame) -> EventArrays:
        """The arrays of an event table (categorical or plain label columns)."""
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
        return cls(**floats, **bools, **coded)

    def rows(self, mask: np.ndarray) -> EventArrays:
        """The contacts where `mask` holds (labels kept)."""
        return EventArrays(**{
            f.name: getattr(self, f.name)[mask] if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name) for f in fields(self)
        })

    def code(self, column: str, label: str) -> int:
        """The code of `label` in a coded column (-2, matching nothing, if absent)."""
        labels = {"category": self.categories, "outcome": self.outcomes,
                  "answered_by": self.pools, "municipality": self.municipalities}[column]
        return labels.index(label) if label in labels else -2

    def __len__(self) -> int:
        return int(self.arrival_s.size)
