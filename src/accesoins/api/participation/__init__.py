"""Participation: experience questionnaires, anonymous responses, thresholded indicators, directory.

:mod:`.base` holds the router and what every route shares; importing this package registers the
routes of :mod:`.pages`, :mod:`.sessions`, :mod:`.manage` and :mod:`.writes` on it, in that order
(the order they had in one module; ``api.app`` mounts ``router`` and calls ``attach_participation``).
"""

# import order is route registration order
# isort: off
from . import pages
from . import sessions
from . import manage
from . import writes
# isort: on
from .base import attach_participation, router

__all__ = ["attach_participation", "manage", "pages", "router", "sessions", "writes"]
