"""Every write and domain decision, one typed keyword-only function each. Pages, the API,
the data import and jobs call these; none of them opens a write transaction itself."""
