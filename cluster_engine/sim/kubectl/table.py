"""kubectl's human-readable printer: a `meta.k8s.io/v1` Table laid out as cli-runtime's tablePrinter and
its tabwriter (minwidth 6, padding 3, remembered widths) lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cluster_engine.sim.printers import format_labels

MIN_WIDTH = 6
PADDING = 3


class TabWriter:
    """Go's `text/tabwriter` (AlignLeft, pad char ' ') with liggitt's RememberWidths.

    Cells are tab-terminated; the text after a line's last tab is not aligned. Widths of a column block are
    the widest cell plus padding, at least MIN_WIDTH; with `remember` they never shrink between flushes,
    so rows printed later (watch events) line up with the first table.
    """

    def __init__(self, *, remember: bool = True, min_width: int = MIN_WIDTH, padding: int = PADDING) -> None:
        self._lines: list[list[str]] = []
        self._remember = remember
        self._min_width = min_width
        self._padding = padding
        self._remembered: list[int] = []
        self._out: list[str] = []

    def write_row(self, cells: list[str]) -> None:
        self._lines.append(cells)

    def forget_widths(self) -> None:
        self._remembered = []

    def flush(self) -> str:
        """Lay out the buffered lines and return the text produced since the last flush."""
        widths: list[int] = []
        self._format(0, len(self._lines), widths)
        self._lines = []
        text = "".join(self._out)
        self._out = []
        return text

    def _format(self, line0: int, line1: int, widths: list[int]) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            self._write_lines(line0, this, widths)
            line0 = this
            width = self._min_width
            while this < line1 and column < len(self._lines[this]) - 1:
                width = max(width, len(self._lines[this][column]) + self._padding)
                this += 1
            if self._remember:
                if column < len(self._remembered):
                    width = max(width, self._remembered[column])
                    self._remembered[column] = width
                else:
                    self._remembered.append(width)
            widths.append(width)
            self._format(line0, this, widths)
            widths.pop()
            line0 = this
        self._write_lines(line0, line1, widths)

    def _write_lines(self, line0: int, line1: int, widths: list[int]) -> None:
        for line in self._lines[line0:line1]:
            parts = []
            for j, cell in enumerate(line):
                if j < len(line) - 1 and j < len(widths):
                    parts.append(cell.ljust(widths[j]))
                else:
                    parts.append(cell)
            self._out.append("".join(parts) + "\n")


@dataclass(frozen=True)
class TableOptions:
    """The human-readable print options of `kubectl get`."""

    wide: bool = False
    no_headers: bool = False
    show_labels: bool = False
    label_columns: tuple[str, ...] = ()
    with_namespace: bool = False
    with_kind: str = ""  # `pod`, `deployment.apps`: prefix NAME cells (`get all`, several types)
    sort_rows: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, str):
        text = cell
        cut = min((i for i in (text.find("\n"), text.find("\r"), text.find("\f")) if i >= 0), default=-1)
        if cut >= 0:
            text = text[:cut] + "..."
        return escape_terminal(text)
    return escape_terminal(str(cell))


def escape_terminal(text: str) -> str:
    """cli-runtime's terminal escaper: ESC becomes `^[` and CR `\\r`."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def table_rows(table: dict[str, Any], options: TableOptions) -> tuple[list[str], list[list[str]]]:
    """The header and the cells kubectl prints for `table`: decorated (NAMESPACE, -L columns, LABELS,
    kind prefix) and with priority-1 columns only under `-o wide`."""
    columns = list(table.get("columnDefinitions") or [])
    rows = [dict(row) for row in table.get("rows") or []]
    name_column = next(
        (i for i, c in enumerate(columns) if c.get("format") == "name" and c.get("type") == "string"), -1
    )
    decorated: list[list[Any]] = []
    for row in rows:
        cells = list(row.get("cells") or [])[: len(columns)]
        metadata = (row.get("object") or {}).get("metadata") or {}
        if options.with_kind and name_column >= 0:
            cells[name_column] = f"{options.with_kind}/{cells[name_column]}"
        if options.with_namespace:
            cells.insert(0, metadata.get("namespace", ""))
        labels = metadata.get("labels") or {}
        cells.extend(labels.get(key, "") for key in options.label_columns)
        if options.show_labels:
            cells.append(format_labels(labels))
        decorated.append(cells)
    header_columns: list[dict[str, Any]] = []
    if options.with_namespace:
        header_columns.append({"name": "Namespace", "priority": 0})
    header_columns.extend(columns)
    header_columns.extend({"name": key.split("/")[-1], "priority": 0} for key in options.label_columns)
    if options.show_labels:
        header_columns.append({"name": "Labels", "priority": 0})
    visible = [options.wide or not c.get("priority") for c in header_columns]
    header = [c["name"].upper() for c, show in zip(header_columns, visible, strict=True) if show]
    lines = [
        [_cell_text(cell) for cell, show in zip(cells, visible, strict=False) if show] for cells in decorated
    ]
    return header, lines


class TablePrinter:
    """Prints Tables as `kubectl get` does: a header per resource type, a blank line between types,
    widths remembered within one type (so watch rows align with the list printed before them)."""

    def __init__(self) -> None:
        self._writer = TabWriter()
        self._last_key: object = None
        self._written = False
        self._printed_header = False

    def print(self, table: dict[str, Any], options: TableOptions, *, key: object = None) -> str:
        """Text for one Table of resource type `key` (a new key starts a new header and block)."""
        prefix = ""
        if key != self._last_key:
            self._writer.forget_widths()
            if self._last_key is not None and not options.no_headers and self._written:
                prefix = "\n"
            self._last_key = key
            self._printed_header = False
        header, lines = table_rows(table, options)
        if not options.no_headers and lines and not self._printed_header:
            self._writer.write_row(header)
            self._printed_header = True
        for line in lines:
            self._writer.write_row(line)
        text = self._writer.flush()
        if text:
            self._written = True
            return prefix + text
        return ""

    @property
    def written(self) -> bool:
        return self._written


def format_table(table: dict[str, Any], options: TableOptions | None = None) -> str:
    """One Table as `kubectl get` prints it (empty text when it has no rows)."""
    return TablePrinter().print(table, options or TableOptions())
