"""The resolution objects, one module per object (imported here for Django)."""

from encaisse.resolution.models import handover, write_off  # noqa: F401
