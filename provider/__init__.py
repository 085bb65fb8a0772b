"""ecsops: operations-and-maintenance settings of an ECS fleet, declared as code and kept converged.

Layers, imported only downwards (enforced by tests/architecture/test_layers.py):

    ecsops.cli -> ecsops.resources -> ecsops.pulumi -> ecsops.engine -> ecsops.cloud
               -> ecsops.emulator -> ecsops.schedule
"""

__version__ = "0.1.0"
