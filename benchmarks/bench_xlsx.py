"""Time ``load_inventory`` on a generated inventory saved as an .xlsx workbook (issue 15).

Usage (from the repository root)::

    python benchmarks/bench_xlsx.py                   # 200,000 task rows, best of 3
    python benchmarks/bench_xlsx.py --rows 20000 --repeat 5
    python benchmarks/bench_xlsx.py --workbook inv.xlsx   # an existing workbook

The workbook is written by pandas with XlsxWriter from :func:`bench_pipeline.generate`
(task hours as numbers; FTE, headcount and contracted hours as numbers), the way an
analyst's export looks. The figure is CPU time (``time.process_time``), best of
``--repeat`` loads in this process, so that other work on the machine moves it little;
the first load also imports openpyxl and is not counted apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import genai_aug

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import generate


def write_workbook(n_rows: int, path: Path) -> Path:
    """The generated inventory of ``n_rows`` tasks as an .xlsx workbook at ``path``."""
    roles, tasks = generate(n_rows)
    for column in ("fte", "headcount", "contracted_hours"):
        if column in roles:
            roles[column] = pd.to_numeric(roles[column], errors="coerce")
    tasks["hours_per_week"] = pd.to_numeric(tasks["hours_per_week"], errors="coerce")
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        roles.to_excel(writer, sheet_name="roles", index=False)
        tasks.to_excel(writer, sheet_name="tasks", index=False)
    return path


def best_cpu_seconds(path: Path, repeat: int) -> list[float]:
    """CPU seconds of each of ``repeat`` calls of ``load_inventory(path)``."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        genai_aug.load_inventory(path)
        times.append(time.process_time() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="task rows to generate")
    parser.add_argument("--repeat", type=int, default=3, help="best of N loads")
    parser.add_argument("--workbook", type=Path, help="time this workbook instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.workbook or write_workbook(args.rows, Path(folder) / "inventory.xlsx")
        times = best_cpu_seconds(path, args.repeat)
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"{path.name}: load_inventory best of {args.repeat}: {min(times):.2f} CPU s ({shown})")


if __name__ == "__main__":
    main()
