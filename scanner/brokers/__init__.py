"""People-search (data broker) sites: the catalogue."""
