"""Care-site identifiers: FINESS numbers (with their Luhn key) or local site identifiers.

A FINESS number has 9 characters: the département (``01``…``95``, ``2A``, ``2B``,
``97``/``98`` overseas) then 6 digits and a check digit. The check digit makes the
9 characters valid under the Luhn algorithm; for Corsica the letters are read as
``2A`` → ``02`` and ``2B`` → ``03`` (this reading was verified on every Corsican
number of the FINESS extract of the test data, and every other number there passes
the plain Luhn test). Sites without a FINESS number (a health centre not yet
registered, a mobile team) use a local identifier ``site-<lowercase-words>``.
"""

from __future__ import annotations

import re

from ..errors import InputError

_FINESS = re.compile(r"^(?:\d{2}|2A|2B)\d{7}$")
_LOCAL = re.compile(r"^site-[a-z0-9]+(?:-[a-z0-9]+)*$")
_CORSICA = {"2A": "02", "2B": "03"}


def luhn_ok(digits: str) -> bool:
    """True when the digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def finess_key_ok(number: str) -> bool:
    """True when a 9-character FINESS number has a correct check digit."""
    digits = _CORSICA.get(number[:2], number[:2]) + number[2:]
    return digits.isdigit() and luhn_ok(digits)


def normalise_site(raw: str | None, *, field: str = "site") -> tuple[str, str]:
    """Check a site identifier; returns ``(site_id, kind)`` with kind ``finess`` or ``local``.

    Raises
    ------
    InputError
        With a French message naming the problem (length, characters, check digit).
    """
    value = (raw or "").strip()
    if not value:
        raise InputError(
            "Indiquez le lieu de soins : un numéro FINESS (9 caractères) ou un identifiant de site.", field=field
        )
    upper = value.upper().replace(" ", "")
    if _FINESS.match(upper):
        if not finess_key_ok(upper):
            raise InputError(
                f"Le numéro FINESS {upper} n'est pas valide : sa clé de contrôle (dernier chiffre) "
                "ne correspond pas. Vérifiez-le sur votre convocation ou sur annuaire.sante.fr.",
                field=field,
            )
        return upper, "finess"
    if upper.isdigit() or (len(upper) == 9 and upper[:2] in _CORSICA):
        raise InputError(
            f"Un numéro FINESS a 9 caractères (ici {len(upper)}) : deux pour le département, puis sept chiffres.",
            field=field,
        )
    if _LOCAL.match(value) and len(value) <= 64:
        return value, "local"
    raise InputError(
        "Identifiant de lieu de soins non reconnu : un numéro FINESS (9 caractères, par exemple "
        "750712184) ou un identifiant de site de la forme « site-nom-du-lieu ».",
        field=field,
    )
