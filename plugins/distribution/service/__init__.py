"""Distribution services, one module per job. API handlers, hooks and jobs call these only."""
