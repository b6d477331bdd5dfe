"""What `cluster_engine` tells the layers above it, so that they never need to be imported here.

`sandbox_changed` is sent after a write that changed objects has committed, and after every reconcile (a write
always wakes one), in the process that made the change, with the engine it used still in memory:

- `sandbox`: the row as the write read it (`id`, `owner_id`, `key`, `live_key`, `live_until`, ...);
- `cluster`: the engine after the change. Receivers only read it (through `cluster_engine.engine`), never
  change it: in a worker it is kept for the sandbox's next reconcile;
- `changes`: the change summaries of this write (`actor`, `verb`, `kind`, `namespace`, `name`, ...); empty
  for a reconcile that changed nothing;
- `source`: `"write"` (a learner's request) or `"reconcile"` (a worker).

Receivers must be cheap when they have nothing to do (most sandboxes have no `live_key`), should leave work
to the reconcile (a worker at low priority) rather than do it in a learner's request, and must not raise: the
signal is sent with `send_robust`, and a failure is logged.
"""

from django.dispatch import Signal

sandbox_changed = Signal()
