"""Interactive widgets used by the lessons (one module per lesson) and dashboards."""
