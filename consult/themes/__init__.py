"""Open answers: the codebook of themes, matching, theme figures, suggestions and reading."""
