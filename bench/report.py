"""BENCHMARKS.md from one `bench/run.py` run: the machine, every bar of issues 11 and 22 met or
not, ours and the peer process for process, each script's numbers, and the last three runs
side by side; a bar not met says what limits it.

    python bench/report.py [--results bench/results] [--out BENCHMARKS.md]

rewrites the file from the stored results without measuring anything again. The parts are the
modules beside this one: headline.py, bars.py, peer_tables.py, history.py, sections.py,
prose.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # after the project's own packages: bench/cache.py shadows none
    sys.path.append(str(BENCH))

import history  # noqa: E402  (bench/ is not a package: see processes.py)
from bars import every_bar, table  # noqa: E402
from headline import head  # noqa: E402
from peer_tables import section  # noqa: E402
from prose import HOT_PATH, LIMITS  # noqa: E402
from sections import SECTIONS, load, script_section  # noqa: E402


def render(run: dict[str, Any], results_dir: Path) -> str:
    scenarios = run.get("scenarios", {})
    stored = {  # what the run kept of each script's JSON; else the file as it is now
        file: (scenarios.get(name) or {}).get("result") or load(results_dir / f"{file}.json")
        for name, file, _, _ in SECTIONS
    }
    parts = [
        head(run),
        table(every_bar(scenarios, stored)),
        section(scenarios.get("list"), LIMITS),
        history.section(results_dir),
        *(
            script_section(heading, scenarios.get(name), stored[file], f"{file}.json", body)
            for name, file, heading, body in SECTIONS
        ),
        HOT_PATH,
    ]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--out", default=str(BENCH.parent / "BENCHMARKS.md"))
    args = parser.parse_args()
    results = Path(args.results)
    run = load(results / "run.json")
    if run is None:
        raise SystemExit(f"no {results / 'run.json'}: run bench/run.py first")
    Path(args.out).write_text(render(run, results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
