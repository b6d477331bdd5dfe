"""Running an exercise's reference (or a wrong) solution against a sandbox, through the same doors a learner
uses: the in-page kubectl, the editor, the Kubernetes API, time control. Tests prove every exercise with it,
and authors try a solution on a fresh sandbox with it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from cluster_engine import control, replies, tokens
from cluster_engine import services as sandbox_services
from cluster_engine.models import Sandbox


class SolutionStepError(RuntimeError):
    """A step of a solution did not run (a refused manifest, a command that failed)."""


@dataclass
class SolutionRun:
    outputs: list[str] = field(default_factory=list)


def _reconcile(sandbox: Sandbox) -> None:
    """What a worker does after a write: let the scheduler, controllers and kubelets act up to now."""
    sandbox_services.sandbox_reconcile(sandbox_id=sandbox.pk)


def run_steps(*, sandbox: Sandbox, learner: AbstractBaseUser, steps: list[dict[str, Any]], language: str = "en",
              strict: bool = True) -> SolutionRun:
    """Run `steps` (`run`, `apply`, `wait`, `request`, `control`) in order as `learner`. With `strict`, a step
    that fails raises SolutionStepError naming it; wrong solutions run with `strict=False`."""
    run = SolutionRun()
    for index, step in enumerate(steps):
        output, ok = _run_step(sandbox, learner, step, language)
        run.outputs.append(output)
        if strict and not ok:
            raise SolutionStepError(f"step {index + 1} ({json.dumps(step)[:200]}) failed:\n{output}")
        _reconcile(sandbox)
    return run


def _run_step(sandbox: Sandbox, learner: AbstractBaseUser, step: dict[str, Any], language: str) -> tuple[str, bool]:
    if "run" in step:
        reply = replies.sandbox_command_reply(sandbox_id=sandbox.pk, user=learner, command=step["run"],
                                                       request_id=None, language=language)
        return reply["output"] or reply["error"] or "", bool(reply["ok"])
    if "apply" in step:
        reply = replies.sandbox_apply_reply(sandbox_id=sandbox.pk, user=learner, text=step["apply"],
                                                     dry_run=False, request_id=None, language=language)
        return reply["output"] or reply["error"] or "", bool(reply["ok"])
    if "wait" in step:
        control.sandbox_control(sandbox_id=sandbox.pk, user=learner,
                                         request={"action": "step", "seconds": float(step["wait"])})
        return "", True
    if "control" in step:
        reply = replies.sandbox_control_reply(sandbox_id=sandbox.pk, user=learner, request=step["control"],
                                                       request_id=None, language=language)
        return reply["error"] or "", bool(reply["ok"])
    return _api_request(sandbox, step["request"])


def _api_request(sandbox: Sandbox, request: dict[str, Any]) -> tuple[str, bool]:
    """One request to the sandbox's Kubernetes-compatible API with a bearer token, as a client library or curl
    sends it (its User-Agent decides the field manager the API records)."""
    token = tokens.sandbox_token_create(sandbox=sandbox)
    body = request.get("body")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}",
               "HTTP_USER_AGENT": request.get("user_agent", "curl/8.5.0")}
    response = Client().generic(request["method"].upper(), f"/k8s/{sandbox.pk}{request['path']}",
                                data=json.dumps(body) if body is not None else "",
                                content_type=request.get("content_type", "application/json"), **headers)
    text = response.content.decode(errors="replace")
    return text, response.status_code < 400
