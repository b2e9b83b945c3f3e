"""Participation: experience questionnaires, anonymous responses, thresholded indicators, directory.

:mod:`.base` holds the router and what every route shares; importing this package registers the
routes of :mod:`.pages`, :mod:`.sessions`, :mod:`.manage` and :mod:`.writes` on it, in that order
(``api.app`` mounts ``router`` and calls ``attach_participation``).
"""

from . import manage, pages, sessions, writes
from .base import attach_participation, router

__all__ = ["attach_participation", "manage", "pages", "router", "sessions", "writes"]
