"""odr's version: one place, read by the package, the CLI, the JSON and the build."""

__version__ = "0.1.0"
