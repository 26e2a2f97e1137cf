"""One shape for every figure: the table is the figure, the chart and the CSV are views of it."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "count"  # count, percent, hours, days, text


@dataclass
class Table:
    slug: str
    title: str
    description: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: dict | None = None
    note: str = ""

    def display_rows(self) -> list[list[str]]:
        return [[fmt(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
                for row in self.rows]

    def csv_rows(self) -> list[list]:
        out = [[column.label for column in self.columns]]
        for row in self.rows:
            out.append([raw(value, column.kind) for value, column in zip(row, self.columns,
                                                                          strict=True)])
        return out


def fmt(value, kind: str) -> str:
    if value is None:
        return "No data"
    if kind == "count":
        return f"{value:,}"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind in {"hours", "days"}:
        return f"{value:,.1f}"
    return str(value)


def raw(value, kind: str):
    if value is None:
        return ""
    if kind in {"percent", "hours", "days"}:
        return round(value, 1)
    return value


def percent(part: int, whole: int) -> float | None:
    return None if not whole else 100.0 * part / whole
