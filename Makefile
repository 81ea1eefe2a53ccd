# Two commands for a fresh machine with Python 3.11+ and make:  make demo  |  make test
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
SHARED ?= ../shared
DB ?= incidentwire.db

.PHONY: demo test eval eval-learned train-extractor train-lexicon bench clean

$(BIN)/incidentwire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,scale]"
	touch $@

demo: $(BIN)/incidentwire
	$(BIN)/incidentwire --db $(DB) ingest --metadata examples/news.metadata.jsonl examples/news
	$(BIN)/incidentwire --db $(DB) incidents
ifneq ($(SERVE),0)
	@echo "Sample loaded into $(DB). Starting the web UI on http://127.0.0.1:8000 (Ctrl-C stops it; make demo SERVE=0 skips it)."
	@echo "To review incidents, sign in at http://127.0.0.1:8000/login with this token: $$($(BIN)/incidentwire --db $(DB) token create demo)"
	$(BIN)/incidentwire --db $(DB) serve --host 127.0.0.1 --port 8000
endif

test: $(BIN)/incidentwire
	sh scripts/system-deps.sh
	$(BIN)/python -m pytest

eval: $(BIN)/incidentwire
	$(BIN)/python eval/run.py --shared $(SHARED)

# MUC-4 dev + TST3 with rules, learned and rules+learned (per-role table in eval/results-learned.md)
eval-learned: $(BIN)/incidentwire
	$(BIN)/python eval/run.py --shared $(SHARED) --learned

# Recount the MUC-4 train role-filler lexicon (seconds); writes src/incidentwire/models/muc4-lexicon.json
train-lexicon: $(BIN)/incidentwire
	$(BIN)/python -m incidentwire.train --shared $(SHARED) --lexicon

# Retrain the learned extractor (CPU, 2 threads; all 6 encoder layers, 8 epochs: ~47 min on 2 quiet
# cores, stopped at 100 min on a busy machine; then ONNX export, int8 quantisation and the dev sweep);
# writes src/incidentwire/models/. The combination settings (card's "combine") are then chosen with
# eval/learned_combine.py and written into the card by hand.
train-extractor: $(BIN)/incidentwire
	$(BIN)/python -m pip install --quiet "torch>=2.2"
	$(BIN)/python -m pip install --quiet -e ".[train]"
	HF_HUB_OFFLINE=1 $(BIN)/incidentwire train-extractor --shared $(SHARED) --epochs 8 --train-layers 6 --lr 1e-4 --neg-rate 0.3 --role-weight 2 --threads 2 --max-minutes 100

# Every bench (about 70 minutes on 2 quiet cores, 50 of them the scale bench's 10k and 100k runs;
# run it alone). Ends with issue 9's scale figures beside their bars; bench/results.json and .md.
bench: eval
	$(BIN)/python bench/run.py --shared $(SHARED)

clean:
	rm -rf $(VENV) eval/out $(DB) $(DB)-wal $(DB)-shm
