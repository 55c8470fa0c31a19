"""Report builders over the domains' services: official formats (CITES, ETIS) and tables."""
