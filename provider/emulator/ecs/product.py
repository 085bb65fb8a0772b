"""The ECS product (API version 2014-05-26): operations register themselves on `PRODUCT`."""

from ecsops.emulator.service import Product

PRODUCT = Product(name="ecs", version="2014-05-26")
