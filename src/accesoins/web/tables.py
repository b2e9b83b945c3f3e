"""The indicator table of portraits, rendered in Python: it is the largest part of the page
(every indicator beside every containing territory) and Jinja took most of a portrait's time."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from .charts import number


def indicator_table(obs: dict) -> Markup:
    """Indicators of a territory beside the territories that contain it (with the rank for communes)."""
    commune = obs["level"] in ("commune", "arrondissement")  # ranked among the département's units
    parents = obs["parents"]
    head = ['<th scope="col">Indicateur</th><th scope="col" class="num">Valeur</th>']
    if commune:
        head.append('<th scope="col" class="num">Rang dans le département</th>')
    head += [f'<th scope="col" class="num">{escape(p["nom"] or "")}</th>' for p in parents]
    rows = []
    for i in obs["indicators"]:
        demo = ' <span class="tag">fictif</span>' if i["is_demo"] else ""
        cells = [f'<th scope="row"><a href="/observatoire?indicateur={i["indicator"]}">{escape(i["label"])}</a> '
                 f'<span class="unit">({escape(i["unit"])})</span>{demo}</th>',
                 f'<td class="num"><strong>{number(i["value"])}</strong></td>']
        if commune:
            rank = f'{i["rank_departement"]}ᵉ / {i["n_departement"]}' if i["rank_departement"] else "—"
            cells.append(f'<td class="num">{rank}</td>')
        compare = i["compare"]
        cells += [f'<td class="num">{number(compare.get(p["level"]))}</td>' for p in parents]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(
        f'<table>\n  <caption>Indicateurs de {escape(obs["nom"])} comparés aux territoires qui l\'englobent</caption>'
        f'\n  <thead><tr>{"".join(head)}</tr></thead>\n  <tbody>\n' + "\n".join(rows) + "\n  </tbody>\n</table>")
