"""The HTTP API: thin. It validates at the edge, authorises, and hands actions to the workflow."""
