"""The resolution objects, one module per object (imported here for Django)."""
