"""A valid notebook with no cells at all.

nbgrader adds missing test cells back (add_missing_cells), which then call functions that
were never defined. The claim to check: the student gets 0 and the batch goes on.
Without protection: 0, with NameErrors; no harm expected.
"""
import nbformat

EXPECT = set()
NOTEBOOK_BYTES = nbformat.writes(nbformat.v4.new_notebook(metadata={
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})).encode()
