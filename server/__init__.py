"""The web service: SPARQL endpoint, graph store, linked data, dumps and pages."""
