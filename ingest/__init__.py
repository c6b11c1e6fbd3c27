"""Ingestion of case studies: readers, annotation pipeline, RDF, evaluation."""

PIPELINE_NAME = "rusmeco-ingest"
PIPELINE_VERSION = "0.2.0"
