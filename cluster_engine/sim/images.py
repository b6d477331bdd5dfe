"""The catalogue of simulated container images and what their processes do.

An image has a size (pull time follows from it), the tags a registry would know, a default process
(a server that keeps running, a shell that exits at once, a one-shot program) and the log lines it
prints. A container's command and args are interpreted as a tiny shell: `sleep`, `echo`, `exit`,
`touch`, `rm`, `while true; do ...; done`, ... so the Kubernetes documentation's examples behave here
as they do on a real cluster.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass, field

from .quantity import QuantityError, memory_bytes

MiB = 1024 * 1024
PULL_BYTES_PER_SECOND = 40 * MiB  # a decent registry link; pull time = size / rate, plus jitter


@dataclass(frozen=True)
class Image:
    repository: str  # canonical: docker.io/library/nginx, registry.k8s.io/pause
    tags: str  # regular expression of the tags that exist
    size: int  # bytes (compressed, as `Image size:` in the Pulled event)
    process: str = "server"  # server: runs until stopped; shell: exits 0 at once; oneshot: prints and exits 0
    ports: tuple[int, ...] = ()
    paths: tuple[str, ...] = ("/",)  # HTTP paths answered 200 ("*" = any)
    logs: tuple[str, ...] = ()
    memory: int = 8 * MiB  # resident memory of the default process
    binaries: tuple[str, ...] = ()  # programs other than the shell applets that exist in the image
    stops_on_sigterm: bool = True
    version: str = ""  # what `{version}` in the log lines becomes for the `latest` tag


SHELL_APPLETS = (
    "sh",
    "bash",
    "ash",
    "sleep",
    "echo",
    "exit",
    "true",
    "false",
    "touch",
    "rm",
    "cat",
    "date",
    "env",
    "printenv",
    "ls",
    "test",
    "tail",
    "hostname",
    "wget",
    "nslookup",
    "ping",
    "yes",
    "printf",
    "mkdir",
    "whoami",
    "id",
    "uname",
    "stress",
    "[",
)

NGINX_LOGS = (
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
    '{time} [notice] 1#1: using the "epoll" event method',
    "{time} [notice] 1#1: nginx/{version}",
    "{time} [notice] 1#1: start worker processes",
)

CATALOGUE: dict[str, Image] = {
    image.repository: image
    for image in (
        Image(
            "docker.io/library/nginx",
            r"latest|stable|mainline|alpine|1\.(1[4-9]|2[0-9])(\.\d{1,2})?(-alpine)?",  # 1.14 to 1.29
            71_000_000,
            ports=(80,),
            paths=("/", "/index.html"),
            logs=NGINX_LOGS,
            memory=6 * MiB,
            binaries=("nginx",),
            version="1.27.3",
        ),
        Image(
            "docker.io/library/httpd",
            r"latest|alpine|2\.4(\.\d{1,2})?(-alpine)?",
            58_000_000,
            ports=(80,),
            logs=(
                "AH00558: httpd: Could not reliably determine the server's fully qualified domain name",
                "[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming "
                "normal "
                "operations",
            ),
            memory=10 * MiB,
            binaries=("httpd", "httpd-foreground"),
        ),
        Image(
            "docker.io/library/redis",
            r"latest|alpine|[5-7](\.\d{1,2}){0,2}(-alpine)?",
            45_000_000,
            ports=(6379,),
            paths=(),
            logs=(
                "1:C * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                "1:M * Ready to accept connections tcp",
            ),
            memory=4 * MiB,
            binaries=("redis-server", "redis-cli"),
        ),
        Image(
            "docker.io/library/postgres",
            r"latest|alpine|1[0-7](\.\d{1,2})?(-alpine)?",
            160_000_000,
            ports=(5432,),
            paths=(),
            logs=(
                "PostgreSQL init process complete; ready for start up.",
                "LOG:  database system is ready to accept connections",
            ),
            memory=40 * MiB,
            binaries=("postgres", "psql", "pg_isready"),
        ),
        Image(
            "docker.io/library/mysql",
            r"latest|8(\.\d{1,2}){0,2}|9(\.\d{1,2}){0,2}",
            170_000_000,
            ports=(3306,),
            paths=(),
            logs=("[Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'",),
            memory=360 * MiB,
            binaries=("mysqld", "mysql", "mysqladmin"),
        ),
        Image(
            "docker.io/library/memcached",
            r"latest|alpine|1\.6(\.\d{1,2})?",
            30_000_000,
            ports=(11211,),
            paths=(),
            memory=3 * MiB,
            binaries=("memcached",),
        ),
        Image(
            "docker.io/library/busybox",
            r"latest|musl|glibc|uclibc|1\.3[0-7](\.\d)?",
            2_200_000,
            process="shell",
            memory=MiB,
        ),
        Image("registry.k8s.io/busybox", r"latest|1\.2[4-7](\.\d)?", 1_300_000, process="shell", memory=MiB),
        Image(
            "docker.io/library/alpine",
            r"latest|3\.(1[0-9]|2[0-1])(\.\d{1,2})?|edge",
            3_600_000,
            process="shell",
            memory=MiB,
        ),
        Image(
            "docker.io/library/ubuntu",
            r"latest|2[0-4]\.04|jammy|noble|focal",
            29_000_000,
            process="shell",
            memory=MiB,
        ),
        Image(
            "docker.io/library/debian",
            r"latest|bookworm|bullseye|1[1-3](-slim)?|bookworm-slim",
            48_000_000,
            process="shell",
            memory=MiB,
        ),
        Image(
            "docker.io/library/python",
            r"latest|alpine|slim|3(\.\d{1,2}){0,2}(-slim|-alpine)?",
            370_000_000,
            process="oneshot",
            memory=9 * MiB,
            binaries=("python", "python3", "pip"),
        ),
        Image(
            "docker.io/library/node",
            r"latest|alpine|slim|lts|(1[6-9]|2[0-3])(\.\d{1,2}){0,2}(-slim|-alpine)?",
            380_000_000,
            process="oneshot",
            memory=40 * MiB,
            binaries=("node", "npm"),
        ),
        Image(
            "docker.io/library/hello-world",
            r"latest|linux",
            13_000,
            process="oneshot",
            logs=(
                "",
                "Hello from Docker!",
                "This message shows that your installation appears to be working correctly.",
                "",
            ),
            memory=MiB,
        ),
        Image(
            "docker.io/hashicorp/http-echo",
            r"latest|1\.0(\.\d)?|0\.2\.3",
            3_200_000,
            ports=(5678,),
            paths=("*",),
            memory=2 * MiB,
            binaries=("/http-echo",),
            logs=("Server is listening on :5678",),
        ),
        Image(
            "docker.io/polinux/stress",
            r"latest|1\.0\.4",
            4_000_000,
            process="shell",
            memory=MiB,
            binaries=("stress",),
        ),
        Image("registry.k8s.io/pause", r"3\.(9|10)|latest", 320_000, memory=MiB, stops_on_sigterm=True),
        Image(
            "registry.k8s.io/e2e-test-images/agnhost",
            r"2\.\d{2}",
            52_000_000,
            ports=(8080,),
            paths=("*",),
            memory=5 * MiB,
            binaries=("/agnhost",),
        ),
        Image(
            "registry.k8s.io/kube-apiserver",
            r"v1\.3[0-2]\.\d{1,2}",
            28_000_000,
            ports=(6443,),
            paths=("*",),
            memory=250 * MiB,
            binaries=("kube-apiserver",),
        ),
        Image(
            "registry.k8s.io/kube-controller-manager",
            r"v1\.3[0-2]\.\d{1,2}",
            26_000_000,
            ports=(10257,),
            paths=("*",),
            memory=50 * MiB,
            binaries=("kube-controller-manager",),
        ),
        Image(
            "registry.k8s.io/kube-scheduler",
            r"v1\.3[0-2]\.\d{1,2}",
            20_000_000,
            ports=(10259,),
            paths=("*",),
            memory=20 * MiB,
            binaries=("kube-scheduler",),
        ),
        Image(
            "registry.k8s.io/kube-proxy",
            r"v1\.3[0-2]\.\d{1,2}",
            30_000_000,
            ports=(10249,),
            paths=("*",),
            memory=20 * MiB,
            binaries=("/usr/local/bin/kube-proxy", "kube-proxy"),
        ),
        Image(
            "registry.k8s.io/etcd",
            r"3\.5\.\d{1,2}-0",
            57_000_000,
            ports=(2379, 2381),
            paths=("*",),
            memory=40 * MiB,
            binaries=("etcd",),
        ),
        Image(
            "registry.k8s.io/metrics-server/metrics-server",
            r"v0\.[67]\.\d",
            19_000_000,
            ports=(10250,),
            paths=("*",),
            memory=20 * MiB,
            binaries=("/metrics-server",),
            logs=(
                "serving.go:374] Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)",
                "handler.go:275] Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager",
                "secure_serving.go:213] Serving securely on [::]:10250",
            ),
        ),
        Image(
            "registry.k8s.io/coredns/coredns",
            r"v1\.1[0-2]\.\d",
            18_000_000,
            ports=(53, 8080, 8181),
            paths=("*",),
            memory=15 * MiB,
            binaries=("/coredns",),
            logs=(
                ".:53",
                "[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860bc",
                "CoreDNS-1.11.3",
                "linux/amd64, go1.21.11, a6338e9",
            ),
        ),
    )
}


@dataclass(frozen=True)
class ImageRef:
    """A parsed reference: `nginx:1.27` -> docker.io/library/nginx, tag 1.27."""

    text: str
    repository: str
    tag: str
    digest: str

    @property
    def canonical(self) -> str:
        return f"{self.repository}@{self.digest}" if self.digest else f"{self.repository}:{self.tag}"


def parse_ref(text: str) -> ImageRef:
    name, _, digest = text.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    return ImageRef(text, name, tag or ("" if digest else "latest"), digest)


def lookup(ref: ImageRef) -> Image | None:
    """The catalogued image for a reference, or None if the registry would answer `not found`."""
    image = CATALOGUE.get(ref.repository)
    if image is None:
        return None
    if ref.digest:
        return image
    return image if re.fullmatch(image.tags, ref.tag) else None


def image_id(ref: ImageRef) -> str:
    """A stable content digest for a reference, as `imageID` shows it."""
    digest = ref.digest or "sha256:" + hashlib.sha256(ref.canonical.encode()).hexdigest()
    return f"{ref.repository}@{digest}"


def pull_failure_message(ref: ImageRef, runtime: str) -> str:
    """The kubelet's `Failed to pull image` detail for a reference the registry does not have."""
    canonical = f"{ref.repository}:{ref.tag}"
    if runtime == "cri-o":
        return (
            f"rpc error: code = Unknown desc = reading manifest {ref.tag} in {ref.repository}: "
            "manifest unknown"
        )
    if runtime == "docker":
        return (f"Error response from daemon: manifest for {ref.text} not found: manifest unknown: "
                "manifest unknown")
    return (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{canonical}": failed to resolve '
        f'reference "{canonical}": {canonical}: not found'
    )


# --- processes --------------------------------------------------------------------------------------
FOREVER = 1e18  # "never", as a finite number so the state stays valid JSON (no Infinity)


@dataclass
class Program:
    """What a container's process does, as a timeline from its start (seconds).

    `steps` are (offset, action, argument) with action "log", "touch" or "rm"; `loop` repeats forever
    with `period` after `loop_start`; `exit_at`/`exit_code` end the process (exit_at FOREVER: never).
    `start_error` means the runtime could not start it (`executable file not found`).
    """

    steps: list[tuple[float, str, str]] = field(default_factory=list)
    loop: list[tuple[float, str, str]] = field(default_factory=list)
    loop_start: float = 0.0
    period: float = 0.0
    exit_at: float = FOREVER
    exit_code: int = 0
    server: bool = False
    memory: int = 0
    start_error: str = ""
    ignores_sigterm: bool = False

    def files_at(self, offset: float) -> set[str]:
        files: set[str] = set()
        for at, action, arg in self.steps:
            if at > offset:
                break
            if action == "touch":
                files.add(arg)
            elif action == "rm":
                files.discard(arg)
        return files

    def change_points(self) -> list[float]:
        return sorted({at for at, action, _ in self.steps if action in ("touch", "rm")})

    def logs_until(self, offset: float, limit: int = 1000) -> list[tuple[float, str]]:
        """Log lines printed up to `offset` seconds after start (at most the last `limit`)."""
        lines = [(at, arg) for at, action, arg in self.steps if action == "log" and at <= offset]
        if self.loop and self.period > 0 and offset >= self.loop_start:
            rounds = int((offset - self.loop_start) // self.period) + 1
            first = max(0, rounds - limit)
            for index in range(first, rounds):
                base = self.loop_start + index * self.period
                lines += [
                    (base + at, arg)
                    for at, action, arg in self.loop
                    if action == "log" and base + at <= offset
                ]
        return lines[-limit:]


def _duration(text: str) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text)
    if text == "infinity":
        return FOREVER
    if not match:
        return None
    scale = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return float(match.group(1)) * scale


def _statements(script: str) -> list[str]:
    script = script.replace("\n", ";").replace("&&", ";")
    return [part.strip() for part in script.split(";") if part.strip()]


def _run_script(script: str, image: Image, program: Program, env: dict[str, str]) -> None:
    """Interpret a small shell script into `program`'s timeline."""
    at = 0.0
    statements = _statements(script)
    index = 0
    while index < len(statements):
        statement = statements[index]
        index += 1
        if statement.startswith("while true") or statement.startswith("while :"):
            body: list[str] = []
            rest = statement.split("do", 1)[1].strip() if "do" in statement.split() else ""
            if rest:
                body.append(rest)
            while index < len(statements) and statements[index] != "done":
                body.append(statements[index].removeprefix("do ").strip())
                index += 1
            index += 1
            loop = Program()
            _run_block(body, image, loop, env)
            if loop.exit_at < FOREVER:
                program.exit_at, program.exit_code = at + loop.exit_at, loop.exit_code
                program.steps += [(at + o, a, g) for o, a, g in loop.steps]
                return
            period = sum(
                _duration(s.split()[1]) or 0 for s in body if s.startswith("sleep ") and len(s.split()) > 1
            )
            program.loop = loop.steps
            program.loop_start = at
            program.period = period if period > 0 else 1.0
            program.exit_at = FOREVER
            return
        at = _statement(statement, at, image, program, env)
        if program.exit_at < FOREVER:
            return
    program.exit_at = at
    program.exit_code = program.exit_code


def _run_block(statements: list[str], image: Image, program: Program, env: dict[str, str]) -> None:
    at = 0.0
    for statement in statements:
        at = _statement(statement, at, image, program, env)
        if program.exit_at < FOREVER:
            return


def _expand(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\(?\{?([A-Za-z_][A-Za-z0-9_]*)\}?\)?", lambda m: env.get(m.group(1), ""), text)


def _statement(statement: str, at: float, image: Image, program: Program, env: dict[str, str]) -> float:
    try:
        words = shlex.split(statement)
    except ValueError:
        words = statement.split()
    if not words:
        return at
    name, args = words[0].rsplit("/", 1)[-1], words[1:]
    program.exit_code = 0
    if name == "sleep":
        seconds = _duration(args[0]) if args else None
        if seconds is None:
            program.steps.append((at, "log", "sleep: invalid number '" + (args[0] if args else "") + "'"))
            program.exit_code = 1
            return at
        if seconds >= FOREVER:
            program.exit_at = FOREVER
            program.steps.append((at, "forever", ""))
            return FOREVER
        return at + seconds
    if name == "echo":
        program.steps.append((at, "log", _expand(" ".join(a for a in args if a != "-n"), env)))
    elif name == "printf":
        program.steps.append((at, "log", _expand(" ".join(args), env).replace("\\n", "")))
    elif name == "exit":
        program.exit_at = at
        program.exit_code = int(args[0]) if args and args[0].lstrip("-").isdigit() else 0
    elif name == "true":
        pass
    elif name == "false":
        program.exit_code = 1
    elif name == "touch":
        program.steps += [(at, "touch", a) for a in args]
    elif name == "rm":
        program.steps += [(at, "rm", a) for a in args if not a.startswith("-")]
    elif name in ("env", "printenv"):
        program.steps += [(at, "log", f"{k}={v}") for k, v in env.items()]
    elif name == "date":
        program.steps.append((at, "log", "{date}"))
    elif name == "hostname":
        program.steps.append((at, "log", "{hostname}"))
    elif name == "tail" and "-f" in args:
        program.exit_at = FOREVER
        return FOREVER
    elif name == "stress":
        program.memory = max(program.memory, _stress_memory(args))
        timeout = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("--timeout", "-t")), None)
        program.steps.append((at, "log", "stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"))
        seconds = _duration(timeout) if timeout else FOREVER
        if seconds is None or seconds >= FOREVER:
            program.exit_at = FOREVER
            return FOREVER
        return at + seconds
    elif name in SHELL_APPLETS or name in image.binaries or words[0] in image.binaries:
        if name in image.binaries or words[0] in image.binaries:
            program.server = True
            program.exit_at = FOREVER
            return FOREVER
    else:
        program.steps.append((at, "log", f"sh: {name}: not found"))
        program.exit_code = 127
    return at


def _stress_memory(args: list[str]) -> int:
    for index, arg in enumerate(args[:-1]):
        if arg == "--vm-bytes":
            try:
                return memory_bytes(
                    args[index + 1]
                    .replace("M", "Mi")
                    .replace("G", "Gi")
                    .replace("K", "Ki")
                    .replace("ii", "i")
                )
            except QuantityError:
                return 0
    return 256 * MiB if "--vm" in args else 0


SHELLS = ("sh", "bash", "ash", "/bin/sh", "/bin/bash", "/bin/ash", "/usr/bin/bash")


def program_for(
    image: Image, command: list[str] | None, args: list[str] | None, env: dict[str, str] | None = None
) -> Program:
    """The timeline of a container's main process from its image, command, args and environment."""
    env = env or {}
    program = Program(memory=image.memory, ignores_sigterm=False)
    argv = list(command or []) + list(args or [])
    if not command and not args:
        if image.process == "server":
            program.server = True
            program.steps = [(0.0, "log", line) for line in image.logs]
            return program
        program.steps = [(0.0, "log", line) for line in image.logs]
        program.exit_at = 0.0 if image.process == "shell" else 0.5
        return program
    if not command:
        if image.process == "server":
            argv = [image.binaries[0] if image.binaries else "sh", *argv]
        elif image.process == "oneshot" and image.binaries:
            argv = [image.binaries[0], *argv]
    first = argv[0]
    base = first.rsplit("/", 1)[-1]
    if first in SHELLS and len(argv) >= 3 and argv[1] == "-c":
        _run_script(argv[2], image, program, env)
    elif first in SHELLS and len(argv) == 1:
        program.exit_at = 0.0
    elif base in image.binaries or first in image.binaries:
        if image.process in ("server",) or base in ("nginx", "httpd", "redis-server", "postgres"):
            program.server = True
            program.steps = [(0.0, "log", line) for line in image.logs]
        elif base in ("python", "python3") and "http.server" in argv:
            program.server = True
            program.steps = [(0.0, "log", "Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...")]
        elif base in ("python", "python3", "node") and len(argv) == 1:
            program.exit_at = 0.0
        elif base == "stress":
            _run_script(" ".join(shlex.quote(a) for a in argv), image, program, env)
        else:
            program.server = True
    elif (
        (base in SHELL_APPLETS
        and image.process != "server")
        or base in ("sleep", "echo", "true", "false", "sh")
    ):
        _run_script(" ".join(shlex.quote(a) for a in argv), image, program, env)
    else:
        program.start_error = (
            "failed to create containerd task: failed to create shim task: OCI runtime create failed: "
            f'runc create failed: unable to start container process: exec: "{first}": executable file not '
            "found in $PATH: unknown"
        )
    # a shell script that ends in sleep keeps PID 1 busy: `sleep` as PID 1 ignores SIGTERM
    program.ignores_sigterm = not program.server
    if any(action == "forever" for _, action, _ in program.steps):
        program.steps = [s for s in program.steps if s[1] != "forever"]
    return program


def serves(image: Image, program: Program, port: int, path: str | None) -> tuple[bool, str]:
    """Whether an HTTP (path given) or TCP probe to `port` succeeds, and the failure detail."""
    if not program.server or port not in image.ports:
        return False, "connection refused"
    if path is None:
        return True, ""
    if "*" in image.paths or path in image.paths or path.split("?")[0] in image.paths:
        return True, ""
    return False, "statuscode: 404"
