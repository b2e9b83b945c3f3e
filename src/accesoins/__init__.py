"""accesoins — measure and improve access to care in France.

Data flows one way: ``territory`` → ``offer`` → ``travel`` → ``access`` →
``indicators`` / ``planning`` / ``orientation`` / ``experience`` → ``store`` →
``api`` → ``web``. The numerical core (``travel``, ``access``) is pure: it takes
and returns pandas objects and knows nothing of the store or the web.
"""

__version__ = "0.1.0"
