"""Plain-text tables: the same rendering in a terminal, a notebook and a test."""

__all__ = ["format_table"]


def format_table(headers, rows, align=None):
    """Render rows as an aligned text table; numbers right-aligned unless align says otherwise."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if align is None:
        first = rows[0] if rows else [""] * len(headers)
        align = "".join(">" if isinstance(v, (int, float)) else "<" for v in first)
    if len(align) != len(headers):
        raise ValueError(f"align {align!r} has {len(align)} letters for {len(headers)} columns")

    def line(row):
        return "  ".join(f"{v:{a}{w}}" for v, a, w in zip(row, align, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def _cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
