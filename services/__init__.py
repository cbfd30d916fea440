"""Use cases the API and the activities share: taking a request in."""
