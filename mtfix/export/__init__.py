"""Writers: each reads a Document and never re-runs a stage."""
