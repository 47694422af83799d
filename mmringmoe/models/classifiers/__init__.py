"""Classifiers."""
from .moe_image_classifier import MoEImageClassifier

__all__ = ['MoEImageClassifier']
