"""The Cambodia demo data, built from the facts of the seed documents (see README.md here).

``kouprey demo`` calls ``kouprey.demo.builder.build``; the data itself is in ``data.py``.
This is a plain package, not a Django app: it has no models of its own.
"""
