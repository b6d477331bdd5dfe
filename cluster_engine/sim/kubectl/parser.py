"""The kubectl command line: shell-like tokenising (refusing pipes, redirections and substitutions with a
friendly message), the command tree, and cobra/pflag flag parsing with kubectl's own flag sets and error
wordings. Flag sets and help texts come from `help/*.txt`, captured from `kubectl <command> --help` v1.32."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import KubectlError

HELP_DIR = Path(__file__).parent / "help"


class ShellFeatureError(Exception):
    """The line uses a shell feature the terminal does not offer; `message_id` names the friendly text."""

    def __init__(self, message_id: str, token: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.token = token


# ---------------------------------------------------------------- tokenising

_OPERATORS = {
    "|": "shell_pipe",
    "||": "shell_chain",
    "&&": "shell_chain",
    ";": "shell_chain",
    "&": "shell_background",
    ">": "shell_redirect",
    ">>": "shell_redirect",
    "<": "shell_redirect",
    "<<": "shell_redirect",
}


def tokenize(line: str) -> list[str]:
    """Split a command line as a POSIX shell would for plain words and quotes.

    Pipes, `;`, `&&`, `||`, `&`, redirections, backticks and `$...` expansions raise ShellFeatureError;
    a `#` starting a word begins a comment.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in " \t\n":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
            i += 1
        elif ch == "#" and not in_word:
            break
        elif ch == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ShellFeatureError("shell_unclosed_quote", "'")
            current.append(line[i + 1 : end])
            in_word, i = True, end + 1
        elif ch == '"':
            i += 1
            while True:
                if i >= len(line):
                    raise ShellFeatureError("shell_unclosed_quote", '"')
                c = line[i]
                if c == '"':
                    break
                if c == "\\" and i + 1 < len(line) and line[i + 1] in '"\\$`\n':
                    current.append(line[i + 1])
                    i += 2
                    continue
                if c == "`":
                    raise ShellFeatureError("shell_substitution", "`")
                if (
                    c == "$"
                    and i + 1 < len(line)
                    and (line[i + 1] in "({" or line[i + 1].isalpha() or line[i + 1] == "_")
                ):
                    raise ShellFeatureError("shell_substitution", "$" + line[i + 1])
                current.append(c)
                i += 1
            in_word, i = True, i + 1
        elif ch == "\\":
            if i + 1 < len(line):
                current.append(line[i + 1])
            in_word, i = True, i + 2
        elif ch == "`":
            raise ShellFeatureError("shell_substitution", "`")
        elif (
            ch == "$"
            and i + 1 < len(line)
            and (line[i + 1] in "({" or line[i + 1].isalpha() or line[i + 1] == "_")
        ):
            raise ShellFeatureError("shell_substitution", "$" + line[i + 1])
        elif ch in "|&;<>":
            op = line[i : i + 2] if line[i : i + 2] in _OPERATORS else ch
            raise ShellFeatureError(_OPERATORS[op], op)
        else:
            current.append(ch)
            in_word, i = True, i + 1
    if in_word:
        words.append("".join(current))
    return words


# ---------------------------------------------------------------- flags


@dataclass(frozen=True)
class Flag:
    """One pflag flag: `kind` is bool, string, int, duration, or array (repeatable / comma lists)."""

    name: str
    shorthand: str
    kind: str
    default: Any
    no_opt_default: str | None = None  # value when given without `=value` (`--dry-run`, `--cascade`)

    @property
    def display(self) -> str:
        return f"-{self.shorthand}, --{self.name}" if self.shorthand else f"--{self.name}"


_NO_OPT_DEFAULTS = {"dry-run": "unchanged", "cascade": "background", "validate": "strict"}
_FLAG_LINE = re.compile(r"^    (?:-(\w), )?--([\w-]+)=(.*):$")


def _flag_from_help(shorthand: str | None, name: str, default: str) -> Flag:
    if default in ("true", "false"):
        return Flag(name, shorthand or "", "bool", default == "true")
    if default.startswith("["):
        return Flag(name, shorthand or "", "array", [])
    if re.fullmatch(r"-?\d+", default):
        return Flag(name, shorthand or "", "int", int(default))
    if re.fullmatch(r"(\d+[hms])+|0s", default):
        return Flag(name, shorthand or "", "duration", default)
    value = default[1:-1] if default.startswith("'") and default.endswith("'") else default
    return Flag(name, shorthand or "", "string", value, _NO_OPT_DEFAULTS.get(name))


@cache
def help_text(path: tuple[str, ...]) -> str:
    """`kubectl <path> --help` as kubectl v1.32 prints it."""
    name = "_".join(path) if path else "kubectl"
    return (HELP_DIR / f"{name}.txt").read_text(encoding="utf-8")


def _flags_in(text: str) -> dict[str, Flag]:
    flags: dict[str, Flag] = {}
    for line in text.splitlines():
        if match := _FLAG_LINE.match(line):
            flag = _flag_from_help(match.group(1), match.group(2), match.group(3))
            flags[flag.name] = flag
    return flags


@cache
def global_flags() -> dict[str, Flag]:
    """The flags every command accepts (`kubectl options`)."""
    flags = _flags_in((HELP_DIR / "options.txt").read_text(encoding="utf-8"))
    flags["help"] = Flag("help", "h", "bool", False)
    return flags


@cache
def command_flags(path: tuple[str, ...]) -> dict[str, Flag]:
    """Local flags of the command at `path` plus the global ones."""
    return {**global_flags(), **_flags_in(help_text(path))}


# ---------------------------------------------------------------- the command tree


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...] = ()
    subcommands: tuple[Command, ...] = ()
    runnable: bool = True  # False: a group that prints its help when called bare (rollout, set, top)
    supported: bool = True  # False: a real kubectl command this terminal does not offer

    def find(self, word: str) -> Command | None:
        for sub in self.subcommands:
            if word == sub.name or word in sub.aliases:
                return sub
        return None


def _c(name: str, *subs: Command, aliases: tuple[str, ...] = (), runnable: bool = True) -> Command:
    return Command(name, aliases, subs, runnable)


def _unsupported(name: str) -> Command:
    return Command(name, supported=False)


ROOT = _c(
    "kubectl",
    _c("annotate"),
    _c("api-resources"),
    _unsupported("api-versions"),
    _c("apply"),
    _unsupported("attach"),
    _c("auth", _c("can-i"), _unsupported("reconcile"), _c("whoami"), runnable=False),
    _c("autoscale"),
    _unsupported("certificate"),
    _c("cluster-info"),
    _unsupported("completion"),
    _c(
        "config",
        _c("current-context"),
        *(
            _unsupported(name)
            for name in (
                "delete-cluster",
                "delete-context",
                "delete-user",
                "get-clusters",
                "get-contexts",
                "get-users",
                "rename-context",
                "set",
                "set-cluster",
                "set-context",
                "set-credentials",
                "unset",
                "use-context",
            )
        ),
        _c("view"),
        runnable=False,
    ),
    _c("cordon"),
    _unsupported("cp"),
    _c(
        "create",
        _c("clusterrole"),
        _c("clusterrolebinding"),
        _c("configmap", aliases=("cm",)),
        _c("cronjob", aliases=("cj",)),
        _c("deployment", aliases=("deploy",)),
        _c("ingress", aliases=("ing",)),
        _c("job"),
        _c("namespace", aliases=("ns",)),
        _c("poddisruptionbudget", aliases=("pdb",)),
        _c("quota", aliases=("resourcequota",)),
        _c("role"),
        _c("rolebinding"),
        _c("secret", _c("generic"), runnable=False),
        _c(
            "service",
            _c("clusterip"),
            _c("externalname"),
            _c("loadbalancer"),
            _c("nodeport"),
            aliases=("svc",),
            runnable=False,
        ),
        _c("serviceaccount", aliases=("sa",)),
    ),
    _unsupported("debug"),
    _c("delete"),
    _c("describe"),
    _unsupported("diff"),
    _c("drain"),
    _unsupported("edit"),
    _unsupported("events"),
    _c("exec"),
    _c("explain"),
    _c("expose"),
    _c("get"),
    _unsupported("kustomize"),
    _c("label"),
    _c("logs"),
    _c("options"),
    _unsupported("patch"),
    _unsupported("plugin"),
    _unsupported("port-forward"),
    _unsupported("proxy"),
    _unsupported("replace"),
    _c(
        "rollout",
        _c("history"),
        _c("pause"),
        _c("restart"),
        _c("resume"),
        _c("status"),
        _c("undo"),
        runnable=False,
    ),
    _c("run"),
    _c("scale"),
    _c("set", _c("image"), runnable=False),
    _c("taint"),
    _c("top", _c("node", aliases=("nodes", "no")), _c("pod", aliases=("pods", "po")), runnable=False),
    _c("uncordon"),
    _c("version"),
    _unsupported("wait"),
)


@dataclass(frozen=True)
class ParsedCommand:
    """A parsed `kubectl ...` line: the command path, positional arguments (those after `--` apart),
    and the flags given explicitly (by long name)."""

    path: tuple[str, ...]
    args: tuple[str, ...] = ()
    dash_args: tuple[str, ...] = ()
    flags: dict[str, Any] = field(default_factory=dict)
    supported: bool = True

    def flag(self, name: str) -> Any:
        """The flag's value, or its kubectl default when not given."""
        if name in self.flags:
            return self.flags[name]
        spec = command_flags(self.path).get(name)
        if spec is None:
            raise KeyError(name)
        return list(spec.default) if isinstance(spec.default, list) else spec.default

    def given(self, name: str) -> bool:
        return name in self.flags

    @property
    def field_manager(self) -> str | None:
        """The `fieldManager` this command's writes send: `--field-manager` (its default is the command's own
        manager, `kubectl-create`, `kubectl-label`, ...), None for a command that sends none (scale, cordon,
        rollout undo), whose writes the api-server then records under kubectl's User-Agent, `kubectl`."""
        if "field-manager" not in command_flags(self.path):
            return None
        return self.flag("field-manager") or None

    @property
    def wants_help(self) -> bool:
        return bool(self.flags.get("help"))

    @property
    def display(self) -> str:
        return " ".join(("kubectl", *self.path))


def _usage_error(path: tuple[str, ...], message: str) -> KubectlError:
    return KubectlError(f"Error: {message}\nSee '{' '.join(('kubectl', *path))} --help' for usage.")


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _unknown_root_command(word: str) -> KubectlError:
    """cobra's `unknown command` error with its suggestions (Levenshtein distance <= 2 or a prefix)."""
    suggestions = [
        c.name
        for c in ROOT.subcommands
        if _levenshtein(word.lower(), c.name.lower()) <= 2 or c.name.startswith(word.lower())
    ]
    text = f'Error: unknown command "{word}" for "kubectl"'
    if suggestions:
        text += "\n\nDid you mean this?\n" + "".join(f"\t{s}\n" for s in suggestions)
    return KubectlError(text)


def _takes_value(flag: Flag | None) -> bool:
    return flag is not None and flag.kind != "bool" and flag.no_opt_default is None


def _find_command(words: list[str]) -> tuple[Command, tuple[str, ...], list[str]]:
    """Descend the command tree along the first non-flag words, as cobra's Find does; returns the command,
    its path and the words left once the command names are taken out."""
    command: Command = ROOT
    path: tuple[str, ...] = ()
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            break
        flags = command_flags(path) if command.supported else global_flags()
        if word.startswith("--"):
            name = word[2:].partition("=")[0]
            i += 2 if "=" not in word and _takes_value(flags.get(name)) else 1
            continue
        if word.startswith("-") and len(word) > 1:
            short = word[1]
            spec = next((f for f in flags.values() if f.shorthand == short), None)
            i += 2 if len(word) == 2 and _takes_value(spec) else 1
            continue
        sub = command.find(word)
        if sub is None:
            if command is ROOT:
                raise _unknown_root_command(word)
            break
        command, path = sub, (*path, sub.name)
        words = words[:i] + words[i + 1 :]
        if not sub.supported:
            break
    return command, path, words


def _convert(path: tuple[str, ...], spec: Flag, value: str) -> Any:
    if spec.kind == "bool":
        if value in ("1", "t", "T", "TRUE", "true", "True"):
            return True
        if value in ("0", "f", "F", "FALSE", "false", "False"):
            return False
        raise _usage_error(
            path,
            f'invalid argument "{value}" for "{spec.display}" flag: strconv.ParseBool: '
            f'parsing "{value}": invalid syntax',
        )
    if spec.kind == "int":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise _usage_error(
                path,
                f'invalid argument "{value}" for "{spec.display}" flag: '
                f'strconv.ParseInt: parsing "{value}": invalid syntax',
            )
        return int(value)
    return value


def _store(flags: dict[str, Any], spec: Flag, value: Any) -> None:
    if spec.kind == "array":
        flags.setdefault(spec.name, []).append(value)
    else:
        flags[spec.name] = value


def parse(line: str) -> ParsedCommand:
    """Parse one terminal line that starts with `kubectl`.

    Raises ShellFeatureError for shell syntax, KubectlError with kubectl's text for unknown commands,
    unknown flags, missing flag values and invalid bool or int values.
    """
    words = tokenize(line)
    if not words or words[0] != "kubectl":
        raise ValueError("not a kubectl command line")
    words = words[1:]
    command, path, remaining = _find_command(words)
    if not command.supported:
        return ParsedCommand(path, supported=False)
    flags_spec = command_flags(path)
    by_short = {f.shorthand: f for f in flags_spec.values() if f.shorthand}
    flags: dict[str, Any] = {}
    args: list[str] = []
    dash_args: list[str] = []
    i = 0
    while i < len(remaining):
        word = remaining[i]
        i += 1
        if word == "--":
            dash_args = remaining[i:]
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word[2:].partition("=")
            spec = flags_spec.get(name)
            if spec is None:
                raise _usage_error(path, f"unknown flag: --{name}")
            if eq:
                _store(flags, spec, _convert(path, spec, value))
            elif spec.kind == "bool":
                flags[spec.name] = True
            elif spec.no_opt_default is not None:
                flags[spec.name] = spec.no_opt_default
            elif i < len(remaining):
                _store(flags, spec, _convert(path, spec, remaining[i]))
                i += 1
            else:
                raise _usage_error(path, f"flag needs an argument: --{name}")
        elif word.startswith("-") and len(word) > 1:
            shorts = word[1:]
            while shorts:
                short = shorts[0]
                spec = by_short.get(short)
                if spec is None:
                    raise _usage_error(path, f"unknown shorthand flag: '{short}' in {word}")
                rest = shorts[1:]
                if spec.kind == "bool":
                    if rest.startswith("="):
                        flags[spec.name] = _convert(path, spec, rest[1:])
                        break
                    flags[spec.name] = True
                    shorts = rest
                    continue
                if rest:
                    _store(flags, spec, _convert(path, spec, rest.removeprefix("=")))
                elif spec.no_opt_default is not None:
                    flags[spec.name] = spec.no_opt_default
                elif i < len(remaining):
                    _store(flags, spec, _convert(path, spec, remaining[i]))
                    i += 1
                else:
                    raise _usage_error(path, f"flag needs an argument: '{short}' in -{short}")
                break
        else:
            args.append(word)
    return ParsedCommand(path, tuple(args), tuple(dash_args), flags)


def command_for(path: tuple[str, ...]) -> Command:
    command = ROOT
    for name in path:
        sub = command.find(name)
        if sub is None:
            raise KeyError(path)
        command = sub
    return command


def group_error(parsed: ParsedCommand) -> KubectlError | None:
    """The error (or None) for a command group called with an unknown subcommand, as kubectl words it."""
    command = command_for(parsed.path)
    if command.runnable or not parsed.args:
        return None
    return KubectlError(
        f"error: unknown command \"{parsed.args[0]}\"\nSee '{parsed.display} -h' for help and examples"
    )
