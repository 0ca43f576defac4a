#!/usr/bin/env bash
# Rebuild every derived label file and every model, in dependency order (training_data/README.md,
# "The chain"). Run from anywhere; the tests that guard each step are named in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
python training_data/build_reader_rows.py       # 1. derived rows of seeds without hand labels; hand rows kept
jixiao train --reader                            # 2. the table reader's cell-role model (reader_rows.csv)
python training_data/build_indicator_names.py   # 3. name labels from what the reader now reads, + the library
jixiao train                                     # 4. the two name models (indicator_names.csv)
