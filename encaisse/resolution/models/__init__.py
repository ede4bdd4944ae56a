"""The resolution objects, one module per object (imported here for Django)."""

from encaisse.resolution.models.disputes import *  # noqa: F403
