"""Sandboxes: one simulated cluster per learner and lesson (or playground), and the log of every change in it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cluster_engine.fields import CompressedJSONField

PLAYGROUND_KEY = "playground"


class Sandbox(models.Model):
    """The etcd of one learner's cluster: the engine's whole state as one JSON document.

    A sandbox knows only its `key` (what it is for: `playground`, `lesson:pods`, `lesson:troubleshooting/fix-dns`)
    and the scenario it was started from; the layers above (lessons) choose both and never the reverse.

    `version` guards every write (`UPDATE ... WHERE version = N`), because `select_for_update` is a no-op on
    SQLite; PostgreSQL gets the row lock as well.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandboxes",
                              verbose_name=_("owner"))
    key = models.CharField(_("key"), max_length=200, default=PLAYGROUND_KEY,
                           help_text=_("What the sandbox is for: the playground, a lesson or an exercise."))
    scenario = models.JSONField(_("scenario"), default=dict, help_text=_("The cluster it started from."))
    state = CompressedJSONField(_("state"), default=dict)
    version = models.PositiveBigIntegerField(_("version"), default=0)
    resource_version = models.PositiveBigIntegerField(_("resourceVersion"), default=0)
    speed = models.PositiveSmallIntegerField(_("speed"), default=1)
    paused = models.BooleanField(_("paused"), default=False)
    hibernating = models.BooleanField(_("hibernating"), default=False)
    # Set by the layer above while a page evaluates something live against this sandbox (lessons: the exercise
    # the learner has open); `sandbox_changed` receivers read it from the row every write already loads.
    live_key = models.CharField(_("live key"), max_length=200, blank=True)
    live_until = models.DateTimeField(_("live until"), null=True, blank=True)
    # Set while someone reads the sandbox live (an instructor's read-only page): the owner's terminal and editor
    # answers are then published for them too (`terminal` messages); nobody pays for it otherwise.
    watched_until = models.DateTimeField(_("watched until"), null=True, blank=True)
    # The change log holds every change after this resourceVersion: the sandbox was built, reset or its log pruned
    # there (a built cluster's own objects are not logged). Empty: unknown (sandboxes older than the field).
    history_from = models.PositiveBigIntegerField(_("history from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_active_at = models.DateTimeField(_("last active"), auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox")
        verbose_name_plural = _("sandboxes")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="one_sandbox_per_learner_and_key"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} / {self.key}"

    @property
    def label(self) -> str:
        """The key as a name for files and kubeconfig contexts: `playground`, `pods`, `troubleshooting-fix-dns`."""
        return self.key.removeprefix("lesson:").replace("/", "-").replace(":", "-") or PLAYGROUND_KEY


class SandboxChange(models.Model):
    """One change of a sandbox's objects: who did it, why, and the object after it (history and timeline)."""

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="changes")
    resource_version = models.PositiveBigIntegerField()
    sim_time = models.FloatField(help_text=_("Simulated seconds since the epoch."))
    event_type = models.CharField(max_length=8)  # ADDED / MODIFIED / DELETED
    actor = models.CharField(max_length=200)
    verb = models.CharField(max_length=32)
    reason = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=64)
    namespace = models.CharField(max_length=253, blank=True)
    name = models.CharField(max_length=253)
    # Compressed, as the state is: every write inserts its changes, and as `jsonb` each object was quoted by
    # the driver and parsed by the database (a third of a reconcile's time under load); only Python reads it.
    object = CompressedJSONField()

    class Meta:
        ordering = ("sandbox", "resource_version")
        constraints = [
            models.UniqueConstraint(fields=["sandbox", "resource_version"], name="one_change_per_resource_version"),
        ]
        indexes = [models.Index(fields=["sandbox", "kind", "namespace", "name"])]

    def __str__(self) -> str:
        return f"{self.resource_version} {self.actor} {self.verb} {self.kind} {self.namespace}/{self.name}"


class SandboxToken(models.Model):
    """A bearer token for one sandbox's Kubernetes-compatible API (the kubeconfig's `token`).

    Only a SHA-256 hash is stored: the token is shown once, when it is made. Tokens are long random strings,
    so a fast hash is enough (nothing to brute-force). A revoked token stays as a record of who had access.
    """

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="tokens",
                                verbose_name=_("sandbox"))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    hint = models.CharField(_("hint"), max_length=16, help_text=_("The token's first characters, to recognise it."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox token")
        verbose_name_plural = _("sandbox tokens")
        indexes = [models.Index(fields=["sandbox", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.hint}... ({self.sandbox_id})"


class SandboxCommand(models.Model):
    """One thing a learner asked of their sandbox: an in-page kubectl line, an editor apply, or a write through
    the Kubernetes API (method, resource, client and field manager). The grader's command checks and the
    instructors' timeline read it; the change log says what the cluster did in answer."""

    TERMINAL, EDITOR, KUBE_API = "terminal", "editor", "kube-api"
    SOURCES = ((TERMINAL, _("terminal")), (EDITOR, _("YAML editor")), (KUBE_API, _("Kubernetes API")))

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="commands")
    created_at = models.DateTimeField(auto_now_add=True)
    sim_time = models.FloatField(null=True, blank=True,
                                 help_text=_("Simulated seconds since the epoch; empty when the request was refused."))
    source = models.CharField(max_length=16, choices=SOURCES)
    text = models.TextField()
    exit_code = models.SmallIntegerField(null=True, blank=True)
    resource_version = models.PositiveBigIntegerField(null=True, blank=True,
                                                      help_text=_("The sandbox's resourceVersion after it."))

    class Meta:
        ordering = ("sandbox", "id")
        indexes = [models.Index(fields=["sandbox", "id"], name="sandbox_command_order")]

    def __str__(self) -> str:
        return f"{self.source}: {self.text[:80]}"
