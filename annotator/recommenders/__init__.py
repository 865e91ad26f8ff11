"""Model-assisted annotation: recommenders that learn from a project's own spans (issue #15)."""
