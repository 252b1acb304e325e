"""Default YAML configuration shipped with catoscan (fields, policy, recognizers, scanner)."""
