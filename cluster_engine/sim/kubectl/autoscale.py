"""`kubectl autoscale`: an autoscaling/v1 HorizontalPodAutoscaler for each scalable object named, as kubectl 1.32
builds it (`staging/src/k8s.io/kubectl/pkg/cmd/autoscale/autoscale.go`), with its validation messages."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim import objects
from cluster_engine.sim.schema import list_field

from . import parser
from .context import DRY_RUN_SUFFIX, Client, Result, Session, current_namespace, dry_run_mode, print_objects
from .errors import KubectlError
from .output import check_output_format, name_line
from .resources import parse_targets


def autoscale(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    """kubectl autoscale: an autoscaling/v1 HorizontalPodAutoscaler for each scalable target, printed as
    `horizontalpodautoscaler.autoscaling/NAME autoscaled`."""
    if not parsed.given("max"):
        raise KubectlError('error: required flag(s) "max" not set')
    maximum, minimum, cpu = parsed.flag("max"), parsed.flag("min"), parsed.flag("cpu-percent")
    if maximum < 1:
        raise KubectlError(f"error: --max=MAXPODS is required and must be at least 1, max: {maximum}")
    if maximum < minimum:
        raise KubectlError(f"error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {maximum}, "
                           f"min: {minimum}")
    targets = parse_targets(parsed.args)
    if not targets:
        raise KubectlError("error: You must provide one or more resources by argument or filename.\n"
                           "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                           "   '<resource> <name>'\n   '<resource>'")
    namespace = current_namespace(parsed, session)
    dry_run = dry_run_mode(parsed)
    out = parsed.flag("output")
    stdout = ""
    count = 0
    for target in targets:
        if not target.names:
            raise KubectlError("error: resource(s) were provided, but no name was specified")
        for ref_name in target.names:
            obj = client.get(target.resource.kind, ref_name, namespace)  # NotFound as the builder reports it
            kind = objects.lookup(target.resource.kind)
            if kind is None or list_field(kind.schema_ref, ("spec", "replicas")) is None:
                raise KubectlError(f"error: cannot autoscale a {target.resource.kind}: could not find scale "
                                   f"subresource for {target.resource.group}/{target.resource.version}, "
                                   f"Resource={target.resource.plural} in discovery information")
            spec: dict[str, Any] = {"scaleTargetRef": {"kind": target.resource.kind, "name": ref_name,
                                                       "apiVersion": target.resource.api_version},
                                    "maxReplicas": maximum}
            if minimum > 0:
                spec["minReplicas"] = minimum
            if cpu >= 0:
                spec["targetCPUUtilizationPercentage"] = cpu
            hpa = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                   "metadata": {"name": parsed.flag("name") or obj["metadata"]["name"], "creationTimestamp": None},
                   "spec": spec, "status": {"currentReplicas": 0, "desiredReplicas": 0}}
            count += 1
            if dry_run == "client":
                if out:
                    fmt, argument = check_output_format(out)
                    stdout += print_objects([hpa], fmt, argument, single=True, sort_keys=False)
                else:
                    stdout += name_line(hpa, "created (dry run)")
                continue
            body = {key: value for key, value in hpa.items() if key != "status"}
            body["metadata"] = {"name": hpa["metadata"]["name"]}
            created = client.create(body, namespace=namespace, dry_run=dry_run == "server",
                                    field_manager=parsed.field_manager)
            if out:
                fmt, argument = check_output_format(out)
                stdout += print_objects([created], fmt, argument, single=True)
            else:
                stdout += name_line({**created, "apiVersion": "autoscaling/v1"}, "autoscaled" + DRY_RUN_SUFFIX[dry_run])
    if not count:
        raise KubectlError("error: no objects passed to autoscale")
    return Result(stdout=stdout)
