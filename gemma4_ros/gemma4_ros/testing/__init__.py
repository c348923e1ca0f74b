"""Fakes shipped with the package, because users' tests need them as much as ours do."""
