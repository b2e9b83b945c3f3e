"""HTTP layer: FastAPI app serving pages and their JSON twins (as Datasette does).

Every page ``/x`` has a twin ``/x.json`` built from the same service function;
OpenAPI 3 is at ``/openapi.json`` and its browsable docs at ``/docs``.
"""
