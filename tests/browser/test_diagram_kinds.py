"""The diagram's issue 17 kinds end to end (real daphne, worker, Redis, Chromium): an Ingress drawn in front of
its Service without an address, an autoscaler and a disruption budget on their Deployment's card."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_playground import SETTLE_MS, playground, shot, terminal_run

__all__ = ["playground"]  # the fixture, used by name


@pytest.mark.django_db(transaction=True)
def test_ingress_autoscaler_and_budget_are_drawn_where_a_learner_looks(playground: Page, screenshot_dir: Path):
    page = playground
    terminal_run(page, "kubectl create deployment web --image=nginx --replicas=2", "deployment.apps/web created")
    terminal_run(page, "kubectl expose deployment web --port=80", "service/web exposed")
    terminal_run(page, "kubectl create ingress web --rule=shop.example.com/*=web:80",
                 "ingress.networking.k8s.io/web created")
    terminal_run(page, "kubectl autoscale deployment web --cpu-percent=50 --max=4",
                 "horizontalpodautoscaler.autoscaling/web autoscaled")
    terminal_run(page, "kubectl create pdb web --selector=app=web --min-available=1",
                 "poddisruptionbudget.policy/web created")
    ingress = page.locator("#diagram g.ingress")
    expect(ingress).to_have_count(1, timeout=SETTLE_MS)
    expect(ingress).to_have_class("ingress ingress--no-address")  # no controller, and its Service exists
    expect(page.locator("#diagram path.ingress-line")).to_have_count(1, timeout=SETTLE_MS)
    badge = page.locator("#diagram text.workload-badge--hpa")
    expect(badge).to_contain_text("autoscaler 1\u20134", timeout=SETTLE_MS)  # an en dash between the bounds
    # nginx pods request no CPU: the autoscaler cannot compute its metric (upstream's FailedGetResourceMetric)
    expect(badge).to_have_class("workload-badge workload-badge--hpa workload-badge--inactive", timeout=SETTLE_MS)
    expect(page.locator("#diagram text.workload-badge--pdb")).to_contain_text("budget: 1 disruption allowed",
                                                                            timeout=SETTLE_MS)
    shot(page, screenshot_dir, "1-ingress-autoscaler-budget")
