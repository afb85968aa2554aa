"""Route tables, one module per area of the API."""
