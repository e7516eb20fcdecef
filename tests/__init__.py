"""Test suite.

A package (not a bag of rootdir-relative modules) so that test helpers have stable dotted names such as
``tests.harness.toy``: a dynamic provider class is pickled *by reference*, and the provider process started by
``tests.harness`` (cwd = repo root, as the engine uses the program directory) must be able to import it by that name.
"""
