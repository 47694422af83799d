"""Training engine pieces: optimizer wrappers, hooks and runner set-up."""
from . import optim_wrappers  # noqa: F401
