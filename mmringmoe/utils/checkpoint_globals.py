"""Allow-list for mmengine checkpoints under ``torch.load(weights_only=True)`` (being written)."""


def allow_mmengine_checkpoint_globals() -> None:
    """Placeholder until the allow-list lands."""
