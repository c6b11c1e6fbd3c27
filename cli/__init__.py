"""The ``rusmeco`` command line."""
