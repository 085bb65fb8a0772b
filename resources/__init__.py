"""The resource kinds of ecsops. Importing this package registers every kind with the engine.

    from ecsops.resources import Command
"""

from ecsops.resources.command import Command

__all__ = ["Command"]
