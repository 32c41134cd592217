"""Node executors: Django-free classes, one module per node kind, looked up in registry.py."""
