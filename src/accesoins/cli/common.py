"""What every command group shares: the consoles, opening the store, French failures and input checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ..config import settings_from_env
from ..errors import AccesoinsError, InputError
from ..store import open_store

out = Console()
err = Console(stderr=True)


def _store(read_only: bool = False):
    return open_store(settings_from_env().db_path, read_only=read_only)


JsonOpt = Annotated[bool, typer.Option("--json", help="Sortie JSON (comme l'API).")]


def run_with_store(fn: Callable[[Any], Any], *, read_only: bool = True) -> Any:
    """``fn(store)`` on the store (closed afterwards); a French error and exit 2 on failure."""
    try:
        store = open_store(settings_from_env().db_path, read_only=read_only)
    except AccesoinsError as e:
        fail(e)
    try:
        return fn(store)
    except AccesoinsError as e:
        fail(e)
    finally:
        store.close()


def print_json(data: Any) -> None:
    """The same JSON as the API's twin of the page."""
    from ..api.rendering import json_safe

    out.print_json(json.dumps(json_safe(data), ensure_ascii=False, default=str))


def fail(error: Exception, code: int = 2) -> None:
    err.print(f"[bold red]Erreur[/] : {error}")
    raise typer.Exit(code) from None

MAX_INPUT_BYTES = 4 * 1024**3  # the largest national file (RPPS) is under 1 GB


def checked_input(path: Path) -> Path:
    """``path`` if it is a regular file of a sane size; else a French error (no endless read of /dev/zero)."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("fichier introuvable : vérifiez le chemin.", file=str(path)) from None
    except OSError as e:
        raise InputError(f"fichier illisible ({e.strerror}).", file=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("c'est un dossier, pas un fichier : donnez le chemin du fichier à importer.",
                         file=str(path))
    if not stat.S_ISREG(st.st_mode):
        raise InputError("ce n'est pas un fichier ordinaire (périphérique, tube…) : donnez un fichier CSV.",
                         file=str(path))
    if st.st_size > MAX_INPUT_BYTES:
        raise InputError(f"fichier trop gros ({st.st_size / 1e9:.1f} Go ; au plus "
                         f"{MAX_INPUT_BYTES / 1e9:.1f} Go).", file=str(path))
    return path


def reader_error(e: Exception, path: Path) -> InputError | None:
    """A reader's own exception (pandas, csv, codecs) as a French :class:`InputError` naming the file."""
    import csv
    import re

    import pandas as pd

    text = str(e)
    if isinstance(e, pd.errors.ParserError | csv.Error):
        row = re.search(r"(?:row|line) (\d+)", text)
        line = int(row.group(1)) + 1 if row else None  # pandas counts rows from 0 after the header
        if "EOF inside string" in text or "unexpected end of data" in text or "quote" in text.lower():
            return InputError("guillemet ouvert jamais refermé : le texte entre guillemets court jusqu'à la fin "
                              "du fichier.", file=str(path), line=line)
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if fields:
            return InputError(f"{fields.group(3)} colonnes au lieu de {fields.group(1)}.", file=str(path),
                              line=int(fields.group(2)))
        return InputError("CSV illisible (séparateurs ou guillemets incohérents).", file=str(path), line=line)
    if isinstance(e, UnicodeDecodeError):
        return InputError(f"encodage illisible (octet {e.start}) : enregistrez le fichier en UTF-8.",
                          file=str(path))
    if isinstance(e, IsADirectoryError | PermissionError | FileNotFoundError):
        return InputError(f"fichier illisible ({e.strerror}).", file=str(path))
    return None


def store_busy(e: Exception) -> str | None:
    """The French message for a store locked by another process (the server running), else None."""
    import duckdb

    if isinstance(e, duckdb.IOException) and "lock" in str(e).lower():
        return ("la base est ouverte par un autre processus (le serveur accesoins est-il lancé ?) : "
                "arrêtez-le, ou relancez la commande quand il aura fini ; rien n'a été modifié.")
    return None

def _fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")
