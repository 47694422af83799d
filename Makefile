# One-command set-up and the two jobs of the README. Every target runs inside .venv/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmringmoe-env
ENV_INPUTS := requirements/constraints.txt requirements/runtime.txt requirements/tests.txt \
	setup.py setup.cfg tools/env/setup_env.sh tools/env/build_mmcv_wheel.sh

.PHONY: env test demo clean-env

env: $(STAMP)

$(STAMP): $(ENV_INPUTS)
	PYTHON=$(PYTHON) bash tools/env/setup_env.sh
	touch $@

# The test suite (CI runs exactly this through .ci/run).
test: env
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(PY) -m pytest tests

# The main job on the bundled demo data (see README "Quick start").
demo: env
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-2} $(PY) tools/demo/run_demo.py

clean-env:
	rm -rf $(VENV)
