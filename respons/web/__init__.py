"""The what-if page (`python -m respons serve`): a Streamlit script (`app.py`) kept thin over
plain functions that turn the page's controls into a config (`whatif.py`), run and compare it
with the baseline under common random numbers (`results.py`), and write the downloads
(`downloads.py`: the what-if as a config overlay and as an Excel workbook). Everything but
`app.py` runs and is tested without Streamlit."""
