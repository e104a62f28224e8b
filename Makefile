# The two commands of the README: `make setup` (then `make demo`) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared

.PHONY: setup demo test bench

setup: $(VENV)/.installed

# torch is named with its exact version so pip takes the local CPU wheel, not GBs of CUDA.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0 -e '.[test,ct2,postgresql,ray]'
	touch $@

# A random-weight model of the real opus-mt-zh-en architecture (no weights can be
# downloaded here); translations are nonsense, the mechanics are real.
.cache/demo-zh-en/config.json: | setup
	$(VENV)/bin/mtfix models random-init $(SHARED)/models/opus-mt-zh-en .cache/demo-zh-en

# Random weights never end a sentence early: greedy and 24 tokens keep the demo under a minute.
demo: setup .cache/demo-zh-en/config.json
	$(VENV)/bin/mtfix translate seeds/clean-zh.md --model .cache/demo-zh-en --beam-size 1 --max-new-tokens 24 --out outputs

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) benchmarks/langid.py
	$(PY) benchmarks/degarble.py
	$(PY) benchmarks/glossary.py
	$(PY) benchmarks/report.py
	$(PY) benchmarks/batch.py
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/scaling.py
