"""`jixiao review OUT_DIR`: a local web page where people check the machine's reading and correct it.

`store.py` holds OUT_DIR's tables and appends answers to corrections.csv; `app.py` is the Flask app
(templates in `templates/`, script and style in `static/`, shipped with the package).
"""
