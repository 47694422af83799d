"""Training engine pieces: optimizer wrappers, hooks and runner set-up."""
from . import hooks, optim_wrappers  # noqa: F401
from . import loops  # noqa: F401
from .atomic_local_backend import AtomicLocalBackend  # noqa: F401
from .fsdp_wrap_policy import ringmoe_block_wrap_policy  # noqa: F401
