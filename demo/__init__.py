"""Tools beside the app, never on a request's path: realistic synthetic respondents."""
