# Two commands for a fresh machine with Python 3.11+ and make:  make demo  |  make test
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
SHARED ?= ../shared
DB ?= incidentwire.db

.PHONY: demo test eval bench clean

$(BIN)/incidentwire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,scale]"
	touch $@

demo: $(BIN)/incidentwire
	$(BIN)/incidentwire --db $(DB) ingest --metadata examples/news.metadata.jsonl examples/news
	$(BIN)/incidentwire --db $(DB) incidents

test: $(BIN)/incidentwire
	sh scripts/system-deps.sh
	$(BIN)/python -m pytest

eval: $(BIN)/incidentwire
	$(BIN)/python eval/run.py --shared $(SHARED)

bench: eval
	$(BIN)/python bench/run.py --shared $(SHARED)

clean:
	rm -rf $(VENV) eval/out $(DB) $(DB)-wal $(DB)-shm
