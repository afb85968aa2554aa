"""layers-reconcile: desired state in git for the customers of a Layers partner."""

__version__ = "0.1.0"
