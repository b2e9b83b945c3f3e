"""Command line of the participation area: ``accesoins participation …``.

Creates the first administrator, lists accounts, publishes the bundled
questionnaires and compacts the database (checkpoint + empty the journal).
Messages are in French; bad input exits with status 2.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console

from ..config import settings_from_env
from ..errors import AccesoinsError
from ..participation_store import default_path, open_participation
from ..services.participation import accounts as accounts_svc
from ..services.participation import questionnaires

app = typer.Typer(help="Participation : comptes, questionnaires, base de participation.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
CLI_ACTOR = {"account_id": "cli", "role": "admin", "organisation_id": "accesoins"}


def _open():
    ps = open_participation(default_path(settings_from_env().db_path))
    questionnaires.ensure_bundled(ps)
    return ps


@app.command("create-admin")
def create_admin(
    login: Annotated[str, typer.Option(help="Identifiant de connexion.")],
    name: Annotated[str, typer.Option(help="Nom affiché.")] = "Administrateur",
    organisation: Annotated[str, typer.Option(help="Identifiant de l'organisation.")] = "accesoins",
    password: Annotated[
        str | None,
        typer.Option(
            help="Mot de passe (sinon demandé sans écho ; ou variable ACCESOINS_ADMIN_PASSWORD).",
            envvar="ACCESOINS_ADMIN_PASSWORD",
        ),
    ] = None,
) -> None:
    """Créer un compte administrateur (le premier, ou un autre)."""
    if password is None:
        password = getpass.getpass("Mot de passe (12 caractères au moins) : ")
        if getpass.getpass("Confirmez : ") != password:
            err.print("[bold red]Erreur[/] : les deux saisies diffèrent.")
            raise typer.Exit(2)
    ps = _open()
    try:
        account = accounts_svc.create_account(
            ps,
            CLI_ACTOR,
            login=login,
            display_name=name,
            password=password,
            role="admin",
            organisation_id=organisation,
            organisation_kind="platform",
        )
    except AccesoinsError as e:
        err.print(f"[bold red]Erreur[/] : {e}")
        raise typer.Exit(2) from None
    finally:
        ps.close()
    out.print(f"Administrateur « {account['login']} » créé (organisation {organisation}).")


@app.command("accounts")
def accounts() -> None:
    """Lister les comptes (sans les empreintes de mots de passe)."""
    ps = _open()
    try:
        for a in ps.records("SELECT login, display_name, role, organisation_id, active FROM accounts ORDER BY login"):
            out.print(f"{a['login']}\t{a['role']}\t{a['organisation_id']}\t{'actif' if a['active'] else 'inactif'}")
    finally:
        ps.close()


@app.command("compact")
def compact() -> None:
    """Consolider la base (CHECKPOINT) et vider le journal des réponses."""
    ps = _open()
    try:
        ps.compact()
    finally:
        ps.close()
    out.print("Base de participation consolidée.")
