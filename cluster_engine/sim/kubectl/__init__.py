"""The in-page kubectl: command parsing, generators and kubectl-identical printing, on plain dicts."""
