"""Small files: no module of the package over 500 lines (issue 14), so a newcomer reads each in one sitting."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "accesoins"
MAX_LINES = 500


def long_modules(root: Path, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(path relative to ``root``, lines) of every ``.py`` file under ``root`` longer than ``limit``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append((str(path.relative_to(root)), lines))
    return found


def test_the_check_finds_a_long_module(tmp_path):
    (tmp_path / "short.py").write_text("x = 1\n" * 3)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text("x = 1\n" * 6)
    assert long_modules(tmp_path, limit=5) == [("pkg/long.py", 6)]


def test_no_module_over_500_lines():
    assert long_modules(SRC) == []
