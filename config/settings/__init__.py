"""Settings: `base` for everything, `local` for `make run`, `test` for pytest, `production` for deployments."""
