"""Interactive widgets used by the lessons (one module per lesson) and dashboards.

:mod:`course.widgets.a11y` holds the shared accessibility helpers of the dashboards (labelled
radio groups, ipywidgets#2650; in-memory download links, voila#578).
"""
