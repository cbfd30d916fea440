"""The HTTP API's request and response bodies, one module per feature."""
