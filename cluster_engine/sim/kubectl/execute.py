"""`kubectl exec POD [-c CONTAINER] -- COMMAND [args...]` into a simulated container.

The container answers a few programs as a real one would: `hostname`, `env` / `printenv` (the pod's env,
resolved references and the Service variables the kubelet injects), `cat` of `/etc/hosts`,
`/etc/resolv.conf`, `/etc/hostname` and the service account namespace, `echo`, `nslookup` (cluster DNS),
and `curl` / `wget` routed through the cluster's simulated kube-proxy when the facade offers it. A program
the image lacks fails as in a real container (`executable file not found in $PATH`); interactive shells are
refused with a note, since the terminal runs one command per line.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shlex
from typing import Any

from cluster_engine.sim import images
from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import parse_rfc3339

from . import messages, parser
from .context import Client, Result, Session, current_namespace
from .errors import KubectlError
from .resources import parse_targets

CLUSTER_DOMAIN = "cluster.local"
DNS_SERVICE_IP = "10.96.0.10"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUSYBOX_REPOSITORIES = ("docker.io/library/busybox", "docker.io/library/alpine")
SHELLS = ("sh", "bash", "ash")
# programs this terminal simulates; other programs that exist in the image get a note instead
SIMULATED = {"hostname", "env", "printenv", "cat", "echo", "nslookup", "curl", "wget", "true", "false", "pwd"}
SHELL_ERRORS = {
    "pod_completed": "error: cannot exec into a container in a completed pod; current phase is {phase}",
    "not_running": 'error: unable to upgrade connection: container not found ("{container}")',
}


def _exited(stdout: str, stderr: str, code: int) -> Result:
    """A remote command's outcome as the process left it (kubectl's `command terminated` note is added by
    `exec_command`)."""
    return Result(stdout, stderr, code)


class ExecError(Exception):
    """The command did not run as a process: the runtime could not start it, or the simulation does not
    model it. `message` is what the kubelet's error Status says (kubectl prints `error: <message>`);
    `terminal` is what the in-page kubectl prints."""

    def __init__(self, message: str, *, reason: str = "BadRequest", code: int = 400, terminal: str = "") -> None:
        super().__init__(message)
        self.message, self.reason, self.code = message, reason, code
        self.terminal = terminal or message


def run_in_container(
    client: Client, pod: dict[str, Any], container: dict[str, Any], argv: list[str], *, language: str = "en"
) -> tuple[str, str, int]:
    """Run `argv` in a running container as its runtime would: (stdout, stderr, exit code) of the process.

    Raises ExecError when no process ran. The cluster is only read. Used by `kubectl exec` here and by the
    Kubernetes API's exec stream (`cluster_engine/kubeapi/exec.py`).
    """
    outcome = run_program(client, pod, container, list(argv), Session(language=language))
    return outcome.stdout, outcome.stderr, outcome.exit_code


# ---------------------------------------------------------------- the pod and container


def _pod_for(parsed: parser.ParsedCommand, client: Client, namespace: str) -> dict[str, Any]:
    first = parsed.args[0]
    if "/" not in first:
        return client.get("Pod", first, namespace)
    target = parse_targets([first])[0]
    if target.resource.kind == "Pod":
        return client.get("Pod", target.names[0], namespace)
    owner = client.get(target.resource.kind, target.names[0], namespace)
    from cluster_engine.sim.printers import selector_string

    selector = selector_string((owner.get("spec") or {}).get("selector"))
    pods = client.list("Pod", namespace, label_selector=selector).get("items") or []
    if not pods:
        raise KubectlError(
            f"error: timed out waiting for the condition on {target.resource.plural}/{target.names[0]}"
        )
    running = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
    return (running or pods)[0]


def _container(parsed: parser.ParsedCommand, pod: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The container to run in and kubectl's `Defaulted container` note."""
    containers = pod["spec"].get("containers") or []
    wanted = parsed.flag("container")
    if wanted:
        for container in [*containers, *(pod["spec"].get("initContainers") or [])]:
            if container["name"] == wanted:
                return container, ""
        raise KubectlError(
            f"Error from server (BadRequest): container {wanted} is not valid for pod {pod['metadata']['name']}"
        )
    annotated = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
    chosen = next((c for c in containers if c["name"] == annotated), containers[0])
    note = ""
    if len(containers) > 1 and not annotated and not parsed.flag("quiet"):
        names = ", ".join(c["name"] for c in containers)
        note = f'Defaulted container "{chosen["name"]}" out of: {names}\n'
    return chosen, note


def _is_running(pod: dict[str, Any], name: str) -> bool:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == name:
            return "running" in (status.get("state") or {})
    return False


def _started_at(pod: dict[str, Any], name: str) -> float | None:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == name:
            started = ((status.get("state") or {}).get("running") or {}).get("startedAt")
            return parse_rfc3339(started) if started else None
    return None


def _image(container: dict[str, Any]) -> images.Image | None:
    return images.lookup(images.parse_ref(container.get("image", "")))


def _has_program(image: images.Image | None, program: str) -> bool:
    base = program.rsplit("/", 1)[-1]
    if image is None:
        return base in images.SHELL_APPLETS or base == "curl"
    if base in images.SHELL_APPLETS or program in image.binaries or base in image.binaries:
        return True
    return base == "curl" and image.repository not in BUSYBOX_REPOSITORIES


def _busybox(image: images.Image | None) -> bool:
    return image is not None and image.repository in BUSYBOX_REPOSITORIES


# ---------------------------------------------------------------- environment


def _service_env(services: list[dict[str, Any]]) -> dict[str, str]:
    """The Docker-links style variables the kubelet injects for each Service with a cluster IP."""
    env: dict[str, str] = {}
    for svc in services:
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP", "")
        ports = spec.get("ports") or []
        if not ip or ip == "None" or not ports:
            continue
        name = svc["metadata"]["name"].upper().replace("-", "_")
        env[f"{name}_SERVICE_HOST"] = ip
        env[f"{name}_SERVICE_PORT"] = str(ports[0].get("port", ""))
        for port in ports:
            if port.get("name"):
                env[f"{name}_SERVICE_PORT_{port['name'].upper().replace('-', '_')}"] = str(port.get("port", ""))
        first = ports[0]
        env[f"{name}_PORT"] = f"{first.get('protocol', 'TCP').lower()}://{ip}:{first.get('port', '')}"
        for port in ports:
            protocol = port.get("protocol", "TCP")
            prefix = f"{name}_PORT_{port.get('port', '')}_{protocol}"
            env[prefix] = f"{protocol.lower()}://{ip}:{port.get('port', '')}"
            env[f"{prefix}_PROTO"] = protocol.lower()
            env[f"{prefix}_PORT"] = str(port.get("port", ""))
            env[f"{prefix}_ADDR"] = ip
    return env


def _decoded(value: str) -> str:
    import base64
    import binascii

    try:
        return base64.b64decode(value, validate=True).decode(errors="replace")
    except (binascii.Error, ValueError):
        return value


def _field_value(pod: dict[str, Any], path: str) -> str:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": status.get("hostIP", ""),
        "status.podIP": status.get("podIP", ""),
    }
    if path in simple:
        return simple[path]
    for prefix, values in (
        ("metadata.labels['", meta.get("labels")),
        ("metadata.annotations['", meta.get("annotations")),
    ):
        if path.startswith(prefix) and path.endswith("']"):
            return (values or {}).get(path[len(prefix) : -2], "")
    return ""


def container_env(client: Client, pod: dict[str, Any], container: dict[str, Any]) -> list[tuple[str, str]]:
    """What `env` prints: PATH and HOSTNAME from the runtime, the kubelet's variables (envFrom, env with
    references resolved, Service variables; sorted, as the kubelet hands them over as a map) and HOME."""
    namespace = pod["metadata"].get("namespace", "default")
    kubelet: dict[str, str] = {}
    started = _started_at(pod, container["name"])
    links = pod["spec"].get("enableServiceLinks", True)
    services = client.list("Service", namespace).get("items") or [] if links else []
    if namespace != "default" or not links:
        with contextlib.suppress(Status):
            services.append(client.get("Service", "kubernetes", "default"))
    if started is not None:
        services = [s for s in services if parse_rfc3339(s["metadata"]["creationTimestamp"]) <= started]
    kubelet.update(_service_env(services))
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        ref = source.get("configMapRef") or source.get("secretRef") or {}
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        try:
            obj = client.get(kind, ref.get("name", ""), namespace)
        except Status:
            continue
        for key, value in (obj.get("data") or {}).items():
            kubelet[prefix + key] = value if kind == "ConfigMap" else _decoded(value)
    for var in container.get("env") or []:
        source = var.get("valueFrom")
        if source is None:
            value = str(var.get("value", ""))
        elif "fieldRef" in source:
            value = _field_value(pod, source["fieldRef"].get("fieldPath", ""))
        elif "configMapKeyRef" in source or "secretKeyRef" in source:
            ref = source.get("configMapKeyRef") or source.get("secretKeyRef") or {}
            kind = "ConfigMap" if "configMapKeyRef" in source else "Secret"
            try:
                data = client.get(kind, ref.get("name", ""), namespace).get("data") or {}
            except Status:
                data = {}
            raw = data.get(ref.get("key", ""), "")
            value = raw if kind == "ConfigMap" else _decoded(raw)
        else:
            value = ""
        kubelet[var["name"]] = value
    hostname = pod["spec"].get("hostname") or pod["metadata"]["name"]
    return [("PATH", PATH), ("HOSTNAME", hostname), *sorted(kubelet.items()), ("HOME", "/root")]


# ---------------------------------------------------------------- files and DNS


def _hosts(pod: dict[str, Any]) -> str:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    ip = status.get("podIP", "")
    hostname = spec.get("hostname") or pod["metadata"]["name"]
    text = (
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
    )
    if spec.get("subdomain"):
        fqdn = f"{hostname}.{spec['subdomain']}.{pod['metadata'].get('namespace', '')}.svc.{CLUSTER_DOMAIN}"
        text += f"{ip}\t{fqdn}\t{hostname}\n"
    else:
        text += f"{ip}\t{hostname}\n"
    aliases = spec.get("hostAliases") or []
    if aliases:
        text += "\n# Entries added by HostAliases.\n"
        for alias in aliases:
            text += f"{alias.get('ip', '')}\t{chr(9).join(alias.get('hostnames') or [])}\n"
    return text


def _resolv_conf(namespace: str) -> str:
    return (
        f"search {namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\n"
        f"nameserver {DNS_SERVICE_IP}\noptions ndots:5\n"
    )


def resolve(client: Client, host: str, namespace: str) -> tuple[str, list[str]]:
    """Cluster DNS as a pod in `namespace` sees it: (fully qualified name, addresses); no addresses when
    the name does not exist. Headless Services answer with their ready endpoints' addresses."""
    name = host.rstrip(".").lower()
    if name.endswith("." + CLUSTER_DOMAIN):
        name = name[: -len(CLUSTER_DOMAIN) - 1]
    parts = name.split(".")
    if parts and parts[-1] == "svc":
        parts = parts[:-1]
    candidates: list[tuple[str | None, str, str]] = []
    if len(parts) == 1:
        candidates.append((None, parts[0], namespace))
    elif len(parts) == 2:
        candidates += [(None, parts[0], parts[1]), (parts[0], parts[1], namespace)]
    elif len(parts) == 3:
        candidates.append((parts[0], parts[1], parts[2]))
    for pod_host, svc_name, ns in candidates:
        try:
            svc = client.get("Service", svc_name, ns)
        except Status:
            continue
        fqdn = f"{svc_name}.{ns}.svc.{CLUSTER_DOMAIN}"
        spec = svc.get("spec") or {}
        if pod_host is None and spec.get("type") == "ExternalName":
            return fqdn, []
        if pod_host is None and spec.get("clusterIP") not in (None, "", "None"):
            return fqdn, [spec["clusterIP"]]
        slices = client.list("EndpointSlice", ns, label_selector=f"kubernetes.io/service-name={svc_name}")
        addresses = []
        for eps in slices.get("items") or []:
            for endpoint in eps.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                if pod_host is not None and endpoint.get("hostname") != pod_host:
                    continue
                addresses.extend(endpoint.get("addresses") or [])
        if pod_host is not None:
            fqdn = f"{pod_host}.{fqdn}"
        if addresses:
            return fqdn, sorted(addresses)
    return "", []


def _nslookup(client: Client, pod: dict[str, Any], args: list[str]) -> Result:
    names = [a for a in args if not a.startswith("-")]
    if not names:
        usage = "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n"
        return _exited("", f"BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n{usage}", 1)
    host = names[0]
    namespace = pod["metadata"].get("namespace", "default")
    out = f"Server:\t\t{DNS_SERVICE_IP}\nAddress:\t{DNS_SERVICE_IP}:53\n\n"
    fqdn, addresses = resolve(client, host, namespace)
    if not addresses:
        looked_up = host if "." in host else f"{host}.{namespace}.svc.{CLUSTER_DOMAIN}"
        return _exited(out + f"** server can't find {looked_up}: NXDOMAIN\n\n", "", 1)
    for address in addresses:
        out += f"Name:\t{fqdn}\nAddress: {address}\n"
    return _exited(out + "\n", "", 0)


# ---------------------------------------------------------------- HTTP through kube-proxy


def _http(client: Client, pod: dict[str, Any], url: str) -> dict[str, Any] | None:
    request = getattr(client, "http_request", None)
    if request is None:
        return None
    meta = pod["metadata"]
    return request(url, from_pod=meta["name"], namespace=meta.get("namespace", "default"))


def _seconds(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _timeout_error(response: dict[str, Any], host: str, connect: float | None, total: float | None) -> str:
    """curl's words for a connection nobody answered: its own `--connect-timeout` or `-m` ran out first, or
    else the kernel's (what the simulated network reports)."""
    port = response.get("port", 0)
    if connect is not None and (total is None or connect <= total):
        return (f"curl: (28) Failed to connect to {host} port {port} after {int(connect * 1000) + 1} ms: "
                "Timeout was reached")
    if total is not None:
        return f"curl: (28) Connection timed out after {int(total * 1000) + 1} milliseconds"
    return response.get("error", "")


def _curl(client: Client, pod: dict[str, Any], args: list[str], session: Session) -> Result:
    silent = show_errors = head = False
    url = ""
    skip = False
    connect_timeout = max_time = None
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        following = args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            silent |= "s" in arg[1:]
            show_errors |= "S" in arg[1:]
            head |= "I" in arg[1:]
            skip = arg[-1] in "moHXdwAe" and i + 1 < len(args)
            if arg[-1] == "m" and skip:
                max_time = _seconds(following)
        elif arg.startswith("--"):
            silent |= arg == "--silent"
            name, _, value = arg.partition("=")
            skip = not value and name in ("--max-time", "--connect-timeout", "--output", "--header", "--request",
                                          "--data")
            if name == "--max-time":
                max_time = _seconds(value or following)
            elif name == "--connect-timeout":
                connect_timeout = _seconds(value or following)
        else:
            url = arg
    if not url:
        return _exited("", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2)
    response = _http(client, pod, url)
    if response is None:
        raise ExecError(messages.message("exec_no_network", session.language))
    if response.get("status") is None:
        error = response.get("error", "")
        if response.get("timed_out"):
            host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
            error = _timeout_error(response, host, connect_timeout, max_time)
        code = int(error.split("(", 1)[1].split(")", 1)[0]) if error.startswith("curl: (") else 7
        return _exited("", "" if silent and not show_errors else error + "\n", code)
    if head:
        reason = {200: "OK", 404: "Not Found"}.get(response["status"], "")
        return _exited(f"HTTP/1.1 {response['status']} {reason}\r\n\r\n", "", 0)
    return _exited(response.get("body", ""), "", 0)


def _wget_url(args: list[str]) -> str:
    """The URL among BusyBox wget's arguments (the values of -O, -T, -U, -Y, -P and --header skipped)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-O", "-T", "-U", "-Y", "-P", "--header", "--user-agent", "--timeout", "--output-document"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return ""


def _wget(client: Client, pod: dict[str, Any], args: list[str], session: Session) -> Result:
    url = _wget_url(args)
    if not url:
        usage = "Usage: wget [-cqS] [-O FILE] URL...\n"
        return _exited("", f"BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n{usage}", 1)
    response = _http(client, pod, url)
    if response is None:
        raise ExecError(messages.message("exec_no_network", session.language))
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    if response.get("status") is None:
        error = response.get("error", "")
        if "Could not resolve" in error:
            return _exited("", f"wget: bad address '{host}'\n", 1)
        if response.get("timed_out"):
            if any(arg in ("-T", "--timeout") or arg.startswith(("--timeout=", "-T")) for arg in args):
                return _exited("", "wget: download timed out\n", 1)
            return _exited("", f"wget: can't connect to remote host ({response.get('address', host)}): Connection "
                               "timed out\n", 1)
        return _exited("", "wget: can't connect to remote host: Connection refused\n", 1)
    if response["status"] != 200:
        return _exited("", f"wget: server returned error: HTTP/1.1 {response['status']} Not Found\n", 1)
    return _exited(response.get("body", ""), "", 0)


# ---------------------------------------------------------------- the command


def _not_found(pod: dict[str, Any], container: dict[str, Any], program: str) -> ExecError:
    digest = hashlib.sha256(f"{pod['metadata'].get('uid', '')}/{container['name']}/{program}".encode()).hexdigest()
    message = (
        "Internal error occurred: error executing command in container: failed to exec in container: "
        f'failed to start exec "{digest}": OCI runtime exec failed: exec failed: unable to start container '
        f'process: exec: "{program}": executable file not found in $PATH: unknown'
    )
    return ExecError(message, reason="InternalError", code=500, terminal=f"error: {message}")


def _cat(client: Client, pod: dict[str, Any], image: images.Image | None, args: list[str]) -> Result:
    namespace = pod["metadata"].get("namespace", "default")
    files = {
        "/etc/hosts": _hosts(pod),
        "/etc/resolv.conf": _resolv_conf(namespace),
        "/etc/hostname": (pod["spec"].get("hostname") or pod["metadata"]["name"]) + "\n",
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace": namespace,
    }
    out, err, code = "", "", 0
    for path in args:
        if path in files:
            out += files[path]
        elif _busybox(image):
            err += f"cat: can't open '{path}': No such file or directory\n"
            code = 1
        else:
            err += f"cat: {path}: No such file or directory\n"
            code = 1
    return _exited(out, err, code)


def run_program(
    client: Client, pod: dict[str, Any], container: dict[str, Any], argv: list[str], session: Session
) -> Result:
    """Run `argv` in the container (already known to be running): the process's outcome, or ExecError."""
    image = _image(container)
    program = argv[0]
    base = program.rsplit("/", 1)[-1]
    if not _has_program(image, program):
        raise _not_found(pod, container, program)
    args = list(argv[1:])
    if base in SHELLS:
        if len(args) >= 2 and args[0] == "-c":
            script = args[1]
            if "$" in script and "$(" not in script:
                env = dict(container_env(client, pod, container))
                script = re.sub(
                    r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: shlex.quote(env.get(m.group(1), "")), script
                )
            try:
                inner = shlex.split(script)
            except ValueError:
                inner = []
            if inner and not any(token in script for token in ("|", ";", "&", ">", "<", "$(", "`")):
                if not _has_program(image, inner[0]):
                    return _exited("", f"{base}: {inner[0]}: not found\n", 127)
                return run_program(client, pod, container, inner, session)
        raise ExecError(messages.message("exec_shell_script", session.language, command=" ".join(argv)))
    if base not in SIMULATED:
        raise ExecError(messages.message("exec_not_simulated", session.language, program=base))
    if base == "hostname":
        return _exited((pod["spec"].get("hostname") or pod["metadata"]["name"]) + "\n", "", 0)
    if base in ("env", "printenv"):
        env = container_env(client, pod, container)
        if base == "printenv" and args:
            values = dict(env)
            found = [values[a] + "\n" for a in args if a in values]
            return _exited("".join(found), "", 0 if len(found) == len(args) else 1)
        return _exited("".join(f"{k}={v}\n" for k, v in env), "", 0)
    if base == "cat":
        return _cat(client, pod, image, args)
    if base == "echo":
        return _exited(" ".join(args) + "\n", "", 0)
    if base == "pwd":
        return _exited("/\n", "", 0)
    if base in ("true", "false"):
        return _exited("", "", 0 if base == "true" else 1)
    if base == "nslookup":
        return _nslookup(client, pod, args)
    if base == "curl":
        return _curl(client, pod, args, session)
    return _wget(client, pod, args, session)


def exec_command(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if not parsed.args:
        raise KubectlError(
            "error: pod, type/name or --filename must be specified\nSee 'kubectl exec -h' for help and examples"
        )
    if len(parsed.args) > 1:
        raise KubectlError(
            "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
            "See 'kubectl exec -h' for help and examples"
        )
    if not parsed.dash_args:
        raise KubectlError("error: you must specify at least one command for the container")
    if parsed.flag("tty") or parsed.flag("stdin"):
        return Result(
            stderr=messages.message("exec_interactive", session.language, pod=parsed.args[0]) + "\n", exit_code=1
        )
    namespace = current_namespace(parsed, session)
    pod = _pod_for(parsed, client, namespace)
    container, note = _container(parsed, pod)
    phase = (pod.get("status") or {}).get("phase", "")
    if phase in ("Succeeded", "Failed"):
        raise KubectlError(note + SHELL_ERRORS["pod_completed"].format(phase=phase))
    if not pod["spec"].get("nodeName"):
        raise KubectlError(
            f"{note}Error from server (BadRequest): pod {pod['metadata']['name']} does not have a host assigned"
        )
    if not _is_running(pod, container["name"]):
        raise KubectlError(note + SHELL_ERRORS["not_running"].format(container=container["name"]))
    try:
        stdout, stderr, code = run_in_container(client, pod, container, list(parsed.dash_args),
                                                language=session.language)
    except ExecError as failure:
        return Result(stderr=f"{note}{failure.terminal}\n", exit_code=1)
    if code:  # kubectl reports a non-zero exit and exits with it
        stderr += f"command terminated with exit code {code}\n"
    return Result(stdout, note + stderr, code)
