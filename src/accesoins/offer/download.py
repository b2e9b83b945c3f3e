"""Download the national open-data files the importers read.

:data:`SOURCES` lists stable official addresses (data.gouv.fr resource
redirects, insee.fr file links, the Annuaire santé extraction service).
:func:`download` streams one to a temporary file in the destination folder and
renames it into place only once complete, so an interrupted transfer never
leaves a partial file under the final name.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from accesoins.errors import AccesoinsError, ParameterError


class DownloadError(AccesoinsError):
    """A download failed (HTTP error, network error): the message says which and where."""


@dataclass(frozen=True)
class Source:
    """One downloadable national file."""

    url: str
    filename: str  # name given to the saved file
    reader: str  # importer that reads it, e.g. 'accesoins.offer.finess.read_finess'
    description: str
    page: str  # human page describing the dataset


SOURCES: dict[str, Source] = {
    "finess": Source(
        url="https://www.data.gouv.fr/fr/datasets/r/98f3161f-79ff-4f16-8f6a-6d571a80fea2",
        filename="etalab-cs1100507-stock-latest.csv",
        reader="accesoins.offer.finess.read_finess",
        description="FINESS, extraction des établissements géolocalisés (stock Etalab, cs1100507)",
        page="https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/",
    ),
    "rpps": Source(
        url="https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces",
        filename="PS_LibreAcces.zip",
        reader="accesoins.offer.rpps.read_rpps (after extracting PS_LibreAcces_Personne_activite_*.txt)",
        description="Annuaire santé, extraction publique PS_LibreAcces (zip de fichiers « | »)",
        page="https://annuaire.sante.fr/web/site-pro/extractions-publiques",
    ),
    "bpe_2023": Source(
        url="https://www.insee.fr/fr/statistiques/fichier/8217525/BPE23.zip",
        filename="BPE23.zip",
        reader="accesoins.offer.bpe.read_bpe",
        description="INSEE, Base permanente des équipements 2023, équipements géolocalisés (BPE23.csv)",
        page="https://www.insee.fr/fr/statistiques/8217525",
    ),
    "bpe_2018_xy": Source(
        url="https://www.insee.fr/fr/statistiques/fichier/3568638/bpe18_ensemble_xy_csv.zip",
        filename="bpe18_ensemble_xy_csv.zip",
        reader="accesoins.offer.bpe.read_bpe",
        description="INSEE, Base permanente des équipements 2018, ensemble géolocalisé",
        page="https://www.insee.fr/fr/statistiques/3568638",
    ),
    "population_age_2018": Source(
        url="https://www.insee.fr/fr/statistiques/fichier/5395878/BTT_TD_POP1B_2018.zip",
        filename="BTT_TD_POP1B_2018.zip",
        reader="accesoins.offer.population.read_population_by_age",
        description="INSEE, recensement 2018, population par sexe et âge (POP1B, format long)",
        page="https://www.insee.fr/fr/statistiques/5395878",
    ),
}


def download(
    name: str,
    dest_dir: str | Path,
    *,
    base_url_override: str | None = None,
    client: httpx.Client | None = None,
    timeout: float = 120.0,
) -> Path:
    """Download source ``name`` into ``dest_dir`` and return the saved path.

    Parameters
    ----------
    name : str
        A key of :data:`SOURCES`.
    dest_dir : str or Path
        Destination folder (created if needed).
    base_url_override : str, optional
        Fetch ``<base_url_override>/<filename>`` instead of the official address
        (a mirror, or a local server in tests).
    client : httpx.Client, optional
        Client to use (proxies, certificates); one is created otherwise.
    timeout : float, default 120
        Seconds, for a client created here.

    Raises
    ------
    ParameterError
        Unknown ``name``.
    DownloadError
        HTTP status other than 2xx, or a network failure; no file is left behind.
    """
    if name not in SOURCES:
        raise ParameterError(
            f"source « {name} » inconnue ; sources possibles : {', '.join(sorted(SOURCES))}"
        )
    src = SOURCES[name]
    url = f"{base_url_override.rstrip('/')}/{src.filename}" if base_url_override else src.url
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / src.filename
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=timeout)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{src.filename}.", suffix=".part", dir=dest_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise DownloadError(
                    f"téléchargement de « {name} » impossible : le serveur a répondu HTTP "
                    f"{response.status_code} pour {url}"
                )
            for chunk in response.iter_bytes():
                out.write(chunk)
        os.replace(tmp, target)
        return target
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"téléchargement de « {name} » interrompu ({type(exc).__name__} : {exc}) pour {url}"
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
        if own:
            client.close()


__all__ = ["SOURCES", "Source", "download", "DownloadError"]
