"""The road model respects the sea and the relief: land masses, listed crossings, enclaves, DROM.

On the national territory built from the real registry packages, with the real INSEE BPE counts
of GPs and maternity units (``../shared/data/real``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from accesoins.access.apl import apl
from accesoins.services.access.compute import nearest_minutes
from accesoins.services.data.inputs import commune_points, commune_zones
from accesoins.store.territory import commune_index
from accesoins.travel import RoadTimeModel
from accesoins.travel.links import load_links

SEIN, PLOGOFF, AUDIERNE = "29083", "29168", "29003"
ARZ, HOEDIC, BREHAT, MOINES = "56088", "56085", "22016", "56087"
CILAOS, SALAZIE, MARIPASOULA, SAINT_LAURENT = "97424", "97421", "97353", "97311"


@pytest.fixture(scope="module")
def points(store):
    return commune_points(store)


@pytest.fixture(scope="module")
def zones(store):
    return commune_zones(store)


def _bpe(real_data, store, name: str, column: str) -> pd.Series:
    bpe = pd.read_csv(real_data / name, dtype={"CODGEO": str})
    codes = commune_index(store).resolve_many(bpe["CODGEO"])
    return pd.Series(bpe[column].to_numpy(dtype=float), index=codes.to_numpy()).dropna().groupby(level=0).sum()


def test_land_masses_from_the_contours(zones):
    land = zones["land_mass"]
    mainland = land.value_counts().index[0]
    assert land["75111"] == mainland and land["2A004"] != mainland and land["2A004"] == land["2B033"]
    for island in (SEIN, ARZ, HOEDIC, BREHAT, MOINES, "17297", "85113", "56069"):
        assert land[island] != mainland, island
    assert land["85163"] != mainland and zones["zone"]["85163"] == zones["zone"]["85012"]  # Noirmoutier: bridge
    assert land["97101"] != land["97209"] and land["97112"] != land["97101"]  # Guadeloupe ≠ Martinique ≠ Marie-Galante
    zone = zones["zone"]
    assert zone["17297"] == zone["17300"]  # Île de Ré joined by its bridge
    assert zone[CILAOS] != zone["97414"] and land[CILAOS] == land["97414"]  # an enclave of its land mass


def test_no_pair_joins_two_zones_but_through_a_listed_link(points):
    model = RoadTimeModel()
    west = points[points.index.str.startswith(("22", "29", "35", "56", "44", "85", "17"))]  # the Atlantic islands
    cost = model.travel_times(west, max_minutes=60)
    zone = points["zone"]
    o, d = cost["origin"].astype(str).to_numpy(), cost["dest"].astype(str).to_numpy()
    across = zone.reindex(o).to_numpy() != zone.reindex(d).to_numpy()
    linked = {z for k in load_links().crossings for z in (zone.get(k.a), zone.get(k.b))}
    pairs = cost[across]
    assert len(pairs) > 0  # the ferries of the Gulf of Morbihan, Bréhat, Batz… are within an hour
    assert set(zone.reindex(pairs["origin"].astype(str))).issubset(linked)
    shortest = min(k.total_minutes for k in load_links().crossings)
    assert pairs["minutes"].min() >= shortest
    sein = cost[(cost["origin"].astype(str) == SEIN)]
    assert set(sein["dest"].astype(str)) == {SEIN}  # Sein: 1 h crossing + wait, nothing within the hour
    assert not ((o == SEIN) & (d == PLOGOFF)).any()
    # Île-d'Arz reaches Vannes by its boat (15 min + 30 min wait), never Séné across the water by road
    arz = cost[o == ARZ]
    arz = pd.Series(arz["minutes"].to_numpy(), index=arz["dest"].astype(str).to_numpy())
    assert arz["56260"] >= 45
    assert "56243" not in arz.index or arz["56243"] >= 45


def test_islands_without_gp_are_at_zero_from_the_real_bpe(store, real_data, points):
    gps = _bpe(real_data, store, "bpe_medecins_generalistes_par_commune.csv", "NB_D201")
    assert gps.get(ARZ, 0) == 0 and gps.get(HOEDIC, 0) == 0 and gps.get(BREHAT, 0) >= 1
    cost = RoadTimeModel().travel_times(points, max_minutes=30)
    values = apl(points["population"].astype(float), gps, cost).values
    assert values[ARZ] == 0 and values[HOEDIC] == 0  # official DREES 2018: 0 and 0
    assert values[BREHAT] > 5  # its own GP for 400 inhabitants; official DREES 2018: 11.6
    assert values[SEIN] > 5  # its own GP, shared with nobody across the sea; official: 12.1


def test_no_corsican_commune_has_its_nearest_maternity_on_the_continent(store, real_data, points):
    maternities = _bpe(real_data, store, "bpe_maternites_par_commune.csv", "NB_D107")
    corsica = points[points.index.str.startswith(("2A", "2B"))]
    sites = maternities.index[maternities > 0]
    near = nearest_minutes(points, sites, model=RoadTimeModel())
    sites_of_corsica = near.loc[corsica.index, "nearest_site"].dropna().astype(str)
    assert len(sites_of_corsica) > 300
    assert sites_of_corsica.str.startswith(("2A", "2B")).all()


def test_cilaos_and_salazie_are_hours_apart_and_guyane_interior_has_no_road(points):
    model = RoadTimeModel()
    drom = points[points.index.str.startswith(("974", "973"))]
    cost = model.travel_times(drom, max_minutes=300)
    key = cost["origin"].astype(str) + ">" + cost["dest"].astype(str)
    minutes = pd.Series(cost["minutes"].to_numpy(), index=key.to_numpy())
    # Real drive: about 2 h 30 (Cilaos → Saint-Louis by the 400 bends, then around the island)
    assert 120 <= minutes[f"{CILAOS}>{SALAZIE}"] <= 240
    assert minutes[f"{CILAOS}>{SALAZIE}"] == pytest.approx(minutes[f"{SALAZIE}>{CILAOS}"])
    # Maripasoula: a flight or a day of canoe, never a 1-hour drive to Saint-Laurent-du-Maroni
    assert minutes.get(f"{MARIPASOULA}>{SAINT_LAURENT}", np.inf) >= 12 * 60 or \
        f"{MARIPASOULA}>{SAINT_LAURENT}" not in minutes.index
    near = cost[cost["origin"].astype(str) == MARIPASOULA]
    assert set(near["dest"].astype(str)) <= {MARIPASOULA, "97362"}


def test_time_within_a_commune_grows_with_its_area(points):
    model = RoadTimeModel(intra_minutes_per_sqrt_km2=1.0)
    sub = points.loc[["97353", "75111", "29083"]]
    cost = model.travel_times(sub, max_minutes=30)
    own = cost[cost["origin"].astype(str) == cost["dest"].astype(str)].set_index(cost["origin"].astype(str)[
        cost["origin"].astype(str) == cost["dest"].astype(str)])["minutes"]
    assert own["29083"] < own["75111"] < own["97353"]  # Sein < Paris 11e < Maripasoula (18 000 km²)
    assert own["75111"] == pytest.approx(np.sqrt(points.loc["75111", "area_km2"]))
    # the APL convention stays: 0 minutes to one's own commune by default
    cost0 = RoadTimeModel().travel_times(sub, max_minutes=30)
    assert (cost0[cost0["origin"].astype(str) == cost0["dest"].astype(str)]["minutes"] == 0).all()
