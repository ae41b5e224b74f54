"""Anonymised usage statistics (`/stats/`), per DESIGN.md's "Statistics".

- `events`: the one table of anonymous events and the only way to write it;
- `queries`: base tables per kind and the views summed from them;
- `disclosure`: why no count under STATS_MIN_CELL is shown or recomputable;
- `retention`: raw events rolled into weekly counts after STATS_RAW_DAYS;
- `demo`: a month of synthetic events for `make demo`;
- `api`: `/stats/...` for analysts and admins, `POST /v1/events` for Puente's processes.
"""
