"""The knowledge base: the store, named graphs, loaders for bundled data."""
