"""Detection: field rules, value validation, free-text analysis and overlap resolution."""
