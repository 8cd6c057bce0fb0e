"""Benchmark: the worst Markdown found, through bare Python-Markdown and render_markdown.

    .venv/bin/python bench/markdown.py [--cap SECONDS]

Each input (tests/markdown_worst.py) is as long as a purpose may be. "bare" is what the
service did before the bounds: markdown.markdown with the same extensions, no limits (nh3
after it costs little). A bare render is stopped after --cap CPU seconds (default 10) and shown
as "> cap"; one that crashes shows the error. "now" is render_markdown, uncached: an input
over a limit is refused where it is typed and, if stored, shown as plain text.
Times are CPU seconds of this process.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on the path, and this file is called
# markdown too: take the folder off, so that "import markdown" is Python-Markdown.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import markdown  # noqa: E402

from taskforce.markdown import _render, markdown_problem  # noqa: E402
from tests.markdown_worst import AT_LIMIT, REFUSED  # noqa: E402


class _Cap(Exception):
    pass


def _stop(_signum, _frame):
    raise _Cap


def _bare(text: str, cap: float) -> str:
    signal.signal(signal.SIGPROF, _stop)
    signal.setitimer(signal.ITIMER_PROF, cap)
    start = time.process_time()
    try:
        markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    except _Cap:
        return f"> {cap:.0f}"
    except RecursionError:
        return "RecursionError"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return f"{time.process_time() - start:.3f}"


def _now(text: str) -> str:
    start = time.process_time()
    _render.__wrapped__(text)  # past the cache, as the first view of a purpose is
    return f"{time.process_time() - start:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=10.0, help="seconds for one bare render")
    cap = parser.parse_args().cap
    print(f"{'input':48} {'chars':>6} {'bare s':>14} {'now s':>7}  now")
    for group, inputs in (("over a limit", REFUSED), ("within the limits", AT_LIMIT)):
        print(f"-- {group}")
        for name, text in inputs.items():
            outcome = "refused, plain text" if markdown_problem(text) else "rendered"
            print(f"{name:48} {len(text):>6} {_bare(text, cap):>14} {_now(text):>7}  {outcome}")


if __name__ == "__main__":
    main()
