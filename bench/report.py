"""Writing benchmark figures into their own section of BENCHMARKS.md."""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph

REPORT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = """# Benchmarks

Each section is written by the benchmark named in it and says how to reproduce it.
Figures compare our code with its anchor measured in the same run on the same machine.
"""


def machine() -> str:
    """Describe the machine and versions a benchmark ran with."""
    cores = len(__import__("os").sched_getaffinity(0))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")

    return (
        f"{when}; {platform.machine()}, {cores} cores; Python "
        f"{platform.python_version()}; pyoxigraph {pyoxigraph.__version__}"
    )


def write_section(name: str, body: str) -> None:
    """Replace the section ``name`` of BENCHMARKS.md with ``body``."""
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    REPORT.write_text(text, encoding="utf-8")
