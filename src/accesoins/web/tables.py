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
    head += [f'<th scope="col" class="num">{escape(p.get("label") or p["nom"] or "")}</th>' for p in parents]
    rows = []
    for i in obs["indicators"]:
        dec = 0 if i["unit"] == "habitants" else 2  # people are counted, not measured
        demo = ' <span class="tag">fictif</span>' if i["is_demo"] else ""
        cells = [f'<th scope="row"><a href="/observatoire?indicateur={i["indicator"]}">{escape(i["label"])}</a> '
                 f'<span class="unit">({escape(i["unit"])})</span>{demo}</th>',
                 f'<td class="num"><strong>{number(i["value"], "", dec)}</strong></td>']
        if commune:
            rank = f'{i["rank_departement"]}ᵉ / {i["n_departement"]}' if i["rank_departement"] else "—"
            cells.append(f'<td class="num">{rank}</td>')
        compare = i["compare"]
        cells += [f'<td class="num">{number(compare.get(p["level"]), "", dec)}</td>' for p in parents]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(
        f'<table>\n  <caption>Indicateurs de {escape(obs["nom"])} comparés aux territoires qui l\'englobent</caption>'
        f'\n  <thead><tr>{"".join(head)}</tr></thead>\n  <tbody>\n' + "\n".join(rows) + "\n  </tbody>\n</table>")


def _sort_key(v) -> str:
    return "" if v is None else escape(str(v))


def ranking_table(ranking: dict, *, territory: str, show_departement: bool) -> Markup:
    """The communes of a territory ranked on one indicator, in a focusable scroll region.

    Each cell carries its raw value (``data-v``) so that ``sortable.js`` can sort any column;
    the server's order (the ranking) is the order without JavaScript.
    """
    unit = escape(ranking["unit"])
    cols = [("rang", "Rang", True), ("nom", "Commune", False)]
    if show_departement:
        cols.append(("departement", "Département", False))
    cols += [("population", "Population", True), ("valeur", f"{escape(ranking['label'])} ({unit})", True),
             ("classe", "Zonage", False)]
    head = "".join(
        f'<th scope="col"{" class=num" if num else ""}{" aria-sort=ascending" if key == "rang" else ""}>'
        f'<button type="button" class="sort" data-col="{i}" data-num="{int(num)}">{label}</button></th>'
        for i, (key, label, num) in enumerate(cols))
    body = []
    for r in ranking["rows"]:
        cells = [f'<td class="num" data-v="{_sort_key(r["rang"])}">{r["rang"] or "—"}</td>',
                 f'<th scope="row" data-v="{escape(r["nom"])}"><a href="/commune/{r["code"]}">{escape(r["nom"])}</a>'
                 f' <span class="unit">{r["code"]}</span></th>']
        if show_departement:
            cells.append(f'<td data-v="{r["departement"]}">{r["departement"]}</td>')
        cells += [f'<td class="num" data-v="{_sort_key(r["population"])}">{number(r["population"])}</td>',
                  f'<td class="num" data-v="{_sort_key(r["valeur"])}">{number(r["valeur"])}</td>',
                  f'<td data-v="{escape(r["classe_libelle"])}">{escape(r["classe_libelle"])}</td>']
        body.append("<tr>" + "".join(cells) + "</tr>")
    order = "plus la valeur est haute, mieux c'est" if ranking["higher_is_better"] else \
        "plus la valeur est basse, mieux c'est"
    caption = (f'Les {ranking["count"]} communes de {escape(territory)} classées selon : {escape(ranking["label"])} '
               f'({order} ; rang 1 = la mieux placée). Cliquez un en-tête pour trier.')
    return Markup(
        '<div class="scroll" role="region" tabindex="0" aria-labelledby="t-classement-caption">'
        f'<table class="sortable" data-sortable><caption id="t-classement-caption">{caption}</caption>'
        f'<thead><tr>{head}</tr></thead><tbody>' + "".join(body) + "</tbody></table></div>")
