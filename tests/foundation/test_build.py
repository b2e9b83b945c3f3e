"""The build pipeline is idempotent and labels the demonstration offer."""

from accesoins.config import PROJECT_ROOT
from accesoins.services.data.build import build_all, stored_territory_key, territory_key


def test_second_build_does_nothing(store_copy):
    before = store_copy.scalar("SELECT count(*) FROM offer")
    report = build_all(store_copy, PROJECT_ROOT / "node_modules")
    assert report == {"territory": None, "offer": None, "national": None, "orientation": None, "observatory": None}
    assert store_copy.scalar("SELECT count(*) FROM offer") == before
    assert stored_territory_key(store_copy) == territory_key()


def test_demo_offer_is_flagged_everywhere(store):
    row = store.records("SELECT * FROM sources WHERE source_id = 'demo'")[0]
    assert row["is_demo"] is True
    assert "fictive" in row["attribution"].lower() or "fictives" in row["attribution"].lower()
    gps = store.scalar("SELECT sum(quantity) FROM offer WHERE category = 'medecin_generaliste'")
    assert 45_000 < gps < 60_000  # realistic order of magnitude, not real rows
