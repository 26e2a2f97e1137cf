"""The bottom layer: words every app shares (core.vocabulary). Imports no app of ours."""
