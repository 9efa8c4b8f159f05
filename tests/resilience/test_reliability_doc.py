"""RELIABILITY.md's fault matrix is the table the matrix tests run: generated from
`tests/resilience/matrix.py`, and checked here so the two cannot drift apart.

After changing the table:
`MGW_UPDATE_RELIABILITY=1 .venv/bin/pytest tests/resilience/test_reliability_doc.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.resilience.matrix import EXPECTED, FAULTS, PATHS, PLATFORMS, markdown

DOC = Path(__file__).resolve().parents[2] / "RELIABILITY.md"
START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"


def test_every_cell_of_the_matrix_has_an_expected_outcome() -> None:
    wanted = {(path, p, f) for path in PATHS for p in PLATFORMS for f in FAULTS}
    assert set(EXPECTED) == wanted
    assert len(EXPECTED) == 4 * 5 * 9


def test_reliability_md_shows_the_table_the_tests_run() -> None:
    text = DOC.read_text()
    assert START in text, f"{DOC.name} lost its matrix markers"
    assert END in text, f"{DOC.name} lost its matrix markers"
    head, rest = text.split(START, 1)
    shown, tail = rest.split(END, 1)
    table = f"\n{markdown()}\n"
    if os.environ.get("MGW_UPDATE_RELIABILITY") == "1":
        DOC.write_text(head + START + table + END + tail)
        return
    assert shown == table, (
        "RELIABILITY.md's fault matrix differs from tests/resilience/matrix.py; regenerate it "
        "with MGW_UPDATE_RELIABILITY=1 .venv/bin/pytest tests/resilience/test_reliability_doc.py"
    )
