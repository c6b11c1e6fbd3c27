"""Run every benchmark module ``bench/bench_*.py`` in turn (or those named)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    """Import each benchmark module and call its ``main()``."""
    found = sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))
    chosen = [f"bench_{name}" for name in names] if names else found
    for module_name in chosen:
        print(f"running {module_name} ...", flush=True)
        importlib.import_module(f"bench.{module_name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
