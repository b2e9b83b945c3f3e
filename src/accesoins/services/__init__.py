"""Service functions: what the CLI, the API and the pages all call.

Each returns plain data (dicts and lists of JSON-ready values); renderers turn
it into terminal tables, JSON or HTML. No logic lives in the renderers.
"""
