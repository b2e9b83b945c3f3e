"""Orientation for people: the pure logic behind the citizen-facing pages.

* :mod:`.rules` reads the versioned, sourced YAML rule files;
* :mod:`.calendar` computes public holidays (Easter by the computus) and time zones;
* :mod:`.hours` parses weekly opening hours;
* :mod:`.imports` validates the pharmacy and duty-rota CSV files;
* :mod:`.demo` generates the FICTITIOUS demonstration pharmacies and rotas;
* :mod:`.index` answers "open pharmacies nearest to me, now or at a given time";
* :mod:`.pathway`, :mod:`.simulators` and :mod:`.prevention` orient, simulate and advise.

Nothing here touches the network or stores anything about a person.
"""
