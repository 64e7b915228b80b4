"""Domain logic, one module per area; nothing here imports telegram or holds SQL."""
