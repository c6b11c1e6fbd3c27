"""The RUSMECO ontology: terms, namespaces and the Turtle files that define them."""
