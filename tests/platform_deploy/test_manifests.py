"""Static checks of the deployment files: platform/k8s, platform/Dockerfile, docker-compose.yml.

Needs no Django, cluster or Docker engine:
    .venv/bin/python -m pytest tests/platform_deploy -q -p no:django
"""

import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "platform"
K8S = PLATFORM / "k8s"
COMPOSE = ROOT / "docker-compose.yml"

# Oldest Kubernetes we support, and the newest the bundled schemas know.
K8S_VERSIONS = ("1.32.0", "1.37.0")
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job"}


def _manifest_files():
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def _load_all():
    docs = []
    for path in _manifest_files():
        docs.extend((path.name, d) for d in yaml.safe_load_all(path.read_text()) if d is not None)
    return docs


DOCS = _load_all()


def _id(item):
    name, doc = item
    return f"{name}:{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def _of_kind(*kinds):
    return [doc for _, doc in DOCS if doc["kind"] in kinds]


def _one(kind, name):
    found = [d for d in _of_kind(kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def _pod_spec(doc):
    return doc["spec"]["template"]["spec"]


def _kustomization():
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


# --- platform/ is not a Python package -------------------------------------------------


def test_platform_dir_has_no_python_files():
    offenders = [p.relative_to(ROOT) for p in PLATFORM.rglob("*.py")]
    offenders += [p.relative_to(ROOT) for p in PLATFORM.rglob("__init__.py*")]
    assert not offenders, f"platform/ would shadow the stdlib `platform` module: {offenders}"


def test_stdlib_platform_module_is_not_shadowed():
    # Run from the repo root, where a platform/__init__.py would win over the stdlib.
    out = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.__file__); platform.python_version()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert not out.startswith(str(PLATFORM)), out


# --- Kubernetes manifests --------------------------------------------------------------


def test_manifests_found():
    assert _manifest_files(), "no manifests in platform/k8s"
    kinds = {doc["kind"] for _, doc in DOCS}
    expected = {
        "Namespace",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "Ingress",
        "StatefulSet",
        "Job",
        "PodDisruptionBudget",
    }
    assert expected <= kinds, f"missing kinds: {expected - kinds}"


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("item", DOCS, ids=_id)
def test_manifest_is_valid_against_schema(item, version):
    _, doc = item
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{_id(item)} invalid for Kubernetes {version}: {exc.message} at {list(exc.path)}")


@pytest.mark.parametrize("item", DOCS, ids=_id)
def test_manifest_namespace_and_labels(item):
    _, doc = item
    meta = doc["metadata"]
    if doc["kind"] != "Namespace":
        assert meta.get("namespace") == "podlab"
    labels = meta.get("labels", {})
    for key in REQUIRED_LABELS:
        assert labels.get(key), f"{_id(item)} lacks label {key}"
    assert labels["app.kubernetes.io/part-of"] == "podlab"
    if doc["kind"] in WORKLOAD_KINDS:
        pod_labels = doc["spec"]["template"]["metadata"]["labels"]
        for key in REQUIRED_LABELS:
            assert pod_labels.get(key), f"{_id(item)} pod template lacks label {key}"


def test_kustomization_lists_every_manifest():
    kust = _kustomization()
    assert kust["kind"] == "Kustomization"
    assert kust["namespace"] == "podlab"
    listed = kust["resources"]
    assert len(listed) == len(set(listed)), "duplicate entries in kustomization resources"
    assert set(listed) == {p.name for p in _manifest_files()}


def test_kustomize_build_when_kubectl_present():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not on PATH; the schema tests above still cover each manifest")
    out = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    built = [d for d in yaml.safe_load_all(out.stdout) if d]
    assert len(built) == len(DOCS)


@pytest.mark.parametrize(
    "doc", _of_kind(*WORKLOAD_KINDS), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}"
)
def test_workloads_have_resources_and_security_context(doc):
    spec = _pod_spec(doc)
    pod_sc = spec.get("securityContext") or {}
    assert pod_sc.get("runAsNonRoot") is True
    assert isinstance(pod_sc.get("runAsUser"), int)
    assert pod_sc["runAsUser"] > 0
    for container in spec["containers"] + spec.get("initContainers", []):
        res = container.get("resources") or {}
        assert res.get("requests", {}).get("cpu"), f"{container['name']}: no cpu request"
        assert res.get("requests", {}).get("memory"), f"{container['name']}: no memory request"
        assert res.get("limits", {}).get("memory"), f"{container['name']}: no memory limit"
        sc = container.get("securityContext") or {}
        assert sc.get("allowPrivilegeEscalation") is False, container["name"]
        assert sc.get("capabilities", {}).get("drop") == ["ALL"], container["name"]


def _http_probe(container, probe):
    return container[probe]["httpGet"]


def test_web_deployment_probes_and_shape():
    web = _one("Deployment", "web")
    assert web["spec"]["replicas"] == 2
    (container,) = _pod_spec(web)["containers"]
    assert _http_probe(container, "readinessProbe")["path"] == "/readyz"
    assert _http_probe(container, "livenessProbe")["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe"):
        get = _http_probe(container, probe)
        assert get["port"] in ("http", 8000)
        headers = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}
        # The probe's Host must be allowed by Django.
        allowed = _one("ConfigMap", "podlab-config")["data"]["ALLOWED_HOSTS"].split(",")
        assert headers.get("Host") in allowed
    assert {"containerPort": 8000, "name": "http"} in container["ports"]
    refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert refs == {"podlab-config", "podlab-secrets"}
    assert "command" not in container, "override args only, keep the image's entrypoint"
    assert container["args"][0] == "daphne"
    assert container["args"][-1] == "config.asgi:application"


def test_worker_runs_celery_with_exec_liveness():
    worker = _one("Deployment", "worker")
    (container,) = _pod_spec(worker)["containers"]
    assert container["args"][:3] == ["celery", "-A", "config.celery_app"]
    assert "worker" in container["args"]
    probe = " ".join(container["livenessProbe"]["exec"]["command"])
    assert "inspect ping" in probe
    assert "config.celery_app" in probe


def test_services_select_their_workloads():
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in _of_kind("Deployment", "StatefulSet")]
    for svc in _of_kind("Service"):
        selector = svc["spec"]["selector"]
        matches = [lbl for lbl in pod_labels if selector.items() <= lbl.items()]
        assert len(matches) == 1, f"Service {svc['metadata']['name']} selects {len(matches)} workloads"
    for workload in _of_kind("Deployment", "StatefulSet"):
        selector = workload["spec"]["selector"]["matchLabels"]
        assert selector.items() <= workload["spec"]["template"]["metadata"]["labels"].items()


def test_postgres_statefulset():
    sts = _one("StatefulSet", "postgres")
    svc = _one("Service", "postgres")
    assert svc["spec"]["clusterIP"] == "None"
    assert sts["spec"]["serviceName"] == "postgres"
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    mounts = {m["name"] for m in _pod_spec(sts)["containers"][0]["volumeMounts"]}
    assert claim["metadata"]["name"] in mounts
    assert claim["spec"]["resources"]["requests"]["storage"]


def test_redis_deployment_and_service():
    _one("Deployment", "redis")
    svc = _one("Service", "redis")
    assert svc["spec"]["ports"][0]["port"] == 6379
    assert "redis:6379" in _one("ConfigMap", "podlab-config")["data"]["REDIS_URL"]


def test_migrate_job():
    job = _one("Job", "migrate")
    spec = _pod_spec(job)
    assert spec["restartPolicy"] in ("Never", "OnFailure")
    (container,) = spec["containers"]
    script = " ".join(container["args"])
    assert "python manage.py migrate --noinput && python manage.py load_lessons" in script


def test_ingress_tls_and_websocket_timeouts():
    ing = _one("Ingress", "web")
    tls = ing["spec"]["tls"]
    assert tls
    assert tls[0]["secretName"]
    tls_hosts = {h for entry in tls for h in entry["hosts"]}
    assert {rule["host"] for rule in ing["spec"]["rules"]} <= tls_hosts
    notes = ing["metadata"]["annotations"]
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "web"


def test_web_pdb():
    pdb = _one("PodDisruptionBudget", "web")
    web = _one("Deployment", "web")
    assert pdb["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["minAvailable"] < web["spec"]["replicas"]


def test_secret_holds_only_placeholders():
    for secret in _of_kind("Secret"):
        values = secret.get("stringData", {})
        assert "data" not in secret, "use stringData placeholders, never encoded real values"
        for key, value in values.items():
            assert "CHANGE-ME" in value, f"{secret['metadata']['name']}.{key} is not a placeholder"
    keys = set(_one("Secret", "podlab-secrets")["stringData"])
    assert {"SECRET_KEY", "DATABASE_URL"} <= keys
    config_keys = set(_one("ConfigMap", "podlab-config")["data"])
    assert not {"SECRET_KEY", "DATABASE_URL", "POSTGRES_PASSWORD"} & config_keys


# --- Dockerfile --------------------------------------------------------------------------


def test_dockerfile_shape():
    text = (PLATFORM / "Dockerfile").read_text()
    froms = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(froms) >= 2, "multi-stage build expected"
    assert "python:3.11-slim" in text
    assert "npm ci" in text
    assert "pip install -r requirements/base.lock" in text
    assert "collectstatic --noinput" in text
    assert "compile_catalogues" in text
    assert "\nEXPOSE 8000\n" in text
    assert "\nUSER 10001:10001\n" in text
    assert ('CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--websocket_connect_timeout", "30", '
            '"config.asgi:application"]') in text


# --- docker-compose.yml ------------------------------------------------------------------


def _compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_services_and_healthchecks():
    services = _compose()["services"]
    assert {"web", "worker", "redis", "postgres", "migrate"} <= set(services)
    for name in ("web", "redis", "postgres"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in " ".join(services["redis"]["healthcheck"]["test"])


def test_compose_builds_from_platform_dockerfile():
    services = _compose()["services"]
    for name in ("web", "worker", "migrate"):
        build = services[name]["build"]
        assert build["context"] == "."
        assert build["dockerfile"] == "platform/Dockerfile"


def test_compose_postgres_volume():
    compose = _compose()
    mounts = compose["services"]["postgres"]["volumes"]
    named = [m.split(":", 1)[0] for m in mounts if not m.startswith((".", "/"))]
    assert named
    assert set(named) <= set(compose["volumes"])
    assert any(m.endswith(":/var/lib/postgresql/data") for m in mounts)


def test_compose_start_order():
    services = _compose()["services"]
    for name in ("web", "worker"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_config_validates():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not on PATH (apt-get install -y docker-compose provides it)")
    out = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
