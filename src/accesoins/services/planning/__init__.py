"""Planning glue: read the store, call the pure :mod:`accesoins.planning`, return JSON-ready dicts.

One module per tool: :mod:`.france_sante`, :mod:`.rotas` (médecins solidaires), :mod:`.scenarios`,
:mod:`.installation`; :mod:`.common` holds the cached inputs, labelled choices and the home page.
"""
