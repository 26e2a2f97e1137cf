"""The printed table: every target row, measured or "not available: <why>", never invented."""

import json
from dataclasses import asdict, dataclass, field


@dataclass
class Row:
    figure: str
    target: str  # e.g. "<= 3"
    ratio: float | None = None
    detail: str = ""
    unavailable: str = ""  # why there is no figure
    extra_ok: bool | None = None  # a second condition (the second sweep changes 0 rows)

    @property
    def verdict(self) -> str:
        if self.unavailable or self.ratio is None:
            return "-"
        op, limit = self.target.split()
        ok = self.ratio <= float(limit) if op == "<=" else self.ratio >= float(limit)
        if self.extra_ok is False:
            ok = False
        return "met" if ok else "MISSED"


@dataclass
class Report:
    machine: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (name, measured text)
    notes: list[str] = field(default_factory=list)

    def figure(self, name: str, text: str) -> None:
        self.figures.append((name, text))
        print(f"  {name}: {text}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def render(self) -> str:
        lines = ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in self.machine.items()), ""]
        width = max(len(row.figure) for row in self.rows) if self.rows else 10
        lines.append(f"{'target':<{width}}  {'goal':<7}  {'ratio':>7}  {'verdict':<7}  measured")
        lines.append("-" * (width + 60))
        for row in self.rows:
            ratio = f"{row.ratio:7.2f}" if row.ratio is not None and not row.unavailable else "      -"
            detail = f"not available: {row.unavailable}" if row.unavailable else row.detail
            lines.append(f"{row.figure:<{width}}  {row.target:<7}  {ratio}  {row.verdict:<7}  "
                         f"{detail}")
        lines += ["", "Figures (medians of repeated runs):"]
        lines += [f"  {name}: {text}" for name, text in self.figures]
        if self.notes:
            lines += ["", "Notes:"] + [f"  - {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps({
            "machine": self.machine,
            "rows": [{**asdict(row), "verdict": row.verdict} for row in self.rows],
            "figures": self.figures,
            "notes": self.notes,
        }, indent=2)
