"""Orientation glue: duty pharmacies, the care pathway and simulators over :mod:`accesoins.orientation`."""
