"""The data contract: what an organisation's files must hold, one entity per file."""

from data.contract.columns import Entity
from data.contract.entities import BY_NAME, ENTITIES

__all__ = ["BY_NAME", "ENTITIES", "Entity"]
