"""Progress display for long steps (Rich), kept out of the pure modules.

Pure functions accept an optional ``step(label)`` callback; the CLI passes one
that shows a spinner and the elapsed time of each step.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


@contextlib.contextmanager
def steps(title: str) -> Iterator[Callable[[str], None]]:
    """Yield ``step(label)``: each call closes the previous step and opens a new one."""
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as progress:
        current: list[int] = []

        def step(label: str) -> None:
            if current:
                progress.update(current[-1], completed=1, total=1)
            current.append(progress.add_task(label, total=None))

        def transfer(done: int, total: int | None) -> None:
            """Byte progress of the current step (a download): the bar fills, the label shows MB."""
            if current:
                mb = f"{done / 1e6:.1f}" + (f" / {total / 1e6:.1f}" if total else "") + " Mo"
                label = progress.tasks[-1].description.split(" — ")[0]
                progress.update(current[-1], completed=done, total=total, description=f"{label} — {mb}")

        step.transfer = transfer  # type: ignore[attr-defined]
        yield step
        if current:
            progress.update(current[-1], completed=1, total=1)
    console.print(f"[green]{title} : terminé en {time.perf_counter() - started:.1f} s")
