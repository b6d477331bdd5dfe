"""The failure of one kubectl invocation: the exact text kubectl writes to stderr and its exit code."""

from __future__ import annotations


class KubectlError(Exception):
    """A client-side kubectl error (`error: ...`, `Error: unknown flag: ...`), already worded as kubectl."""

    def __init__(self, text: str, exit_code: int = 1) -> None:
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code
