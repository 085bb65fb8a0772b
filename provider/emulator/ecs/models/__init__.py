"""The ECS models layer: row types and queries; no handler touches SQL."""
