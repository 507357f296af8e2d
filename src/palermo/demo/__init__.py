"""The synthetic multi-country world that `palermo demo` builds.

The world is built in chapters, one per capability, each adding its data on top of the
previous ones. A chapter is a function `(world: DemoWorld) -> None`; capabilities append
theirs to `CHAPTERS` as they land.
"""
