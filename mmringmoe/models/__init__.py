"""Models of mmringmoe: backbones, RMoE layers and the multi-modal SimMIM algorithm."""
from . import backbones, layers  # noqa: F401
from . import data_preprocessors, necks, segmentors  # noqa: F401
from . import heads, selfsup  # noqa: F401
from . import losses  # noqa: F401
from . import classifiers, peft  # noqa: F401
from . import fewshot  # noqa: F401
from . import trackers  # noqa: F401
