"""Pure factories that take values and return Dash components. They never query."""
