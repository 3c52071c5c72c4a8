# The few commands a newcomer needs. Everything runs from the repo's own .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STORE  ?= kg-store
PORT   ?= 8501
CORPUS ?= ../shared/corpus

.PHONY: setup test demo lint format score bench fuzz clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test: setup
	$(BIN)/python -m pytest

demo: setup
	$(BIN)/kg ingest seeds --store $(STORE)
	$(BIN)/kg app --store $(STORE) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

score: setup
	@mkdir -p build
	$(BIN)/kg extract $(CORPUS)/*.txt --format jsonl > build/corpus.jsonl
	$(PYTHON) $(CORPUS)/../eval/score.py $(CORPUS) build/corpus.jsonl

FUZZ_SECONDS ?= 60

fuzz: setup
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	@mkdir -p build/fuzz
	$(BIN)/python tests/fuzz/fuzz_readers.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
		-rss_limit_mb=3072 -max_len=65536 -artifact_prefix=build/ build/fuzz

clean:
	rm -rf build .pytest_cache $(STORE)
