"""Forms of the web pages that write (the list filters live in web/filters.py)."""
