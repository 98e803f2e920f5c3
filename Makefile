# The bundle's commands. Each installs into .venv from requirements on first use.
PY := .venv/bin/python
VENV_STAMP := .venv/.installed
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: demo grade test notebook figures datasets release benchmark corpus mutation-score similarity-proof system-demo system-grade system-test

# Debian packages beyond Python (bubblewrap; for the tests also Chromium, PostgreSQL, ...): installed with
# apt-get when make runs as root, otherwise make stops at once with the `sudo apt-get install` line to run.
system-demo system-grade system-test:
	python3 -m course_tools.system_packages $(@:system-%=%)

$(VENV_STAMP): requirements.txt requirements-dev.txt
	python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt
	@# pip compiles each file in turn (about 20 s); compileall shares the work among the cores. Compiled here,
	@# not at first import: the sandbox's kernels see the environment read-only and could not keep their own.
	@# A file that does not compile is named and skipped, as pip would skip it.
	$(PY) -m compileall -q -j 0 .venv/lib || echo "compileall: the files above did not compile; they run uncompiled"
	touch $(VENV_STAMP)

## notebook: rebuild source/ from authoring/ (after editing the text form or the grading kit)
notebook: $(VENV_STAMP)
	$(PY) -m course_tools.author.build_notebook

## figures: redraw the notebook's figures
figures: $(VENV_STAMP)
	$(PY) -m course_tools.author.draw_figures

## datasets: build part 2's data files (HDF5 digits, a photograph) from data scikit-learn ships
datasets: $(VENV_STAMP)
	$(PY) -m course_tools.author.build_datasets

## release: generate the student version in release/ with nbgrader, for each assignment with a source notebook
release: $(VENV_STAMP)
	$(PY) -m course_tools.release.release_assignments

## demo: release each assignment that has demo students, write its demo class into submitted/ and grade it all
demo: system-demo $(VENV_STAMP)
	$(PY) -m course_tools.proof.demo

## grade: grade every released assignment's submissions in submitted/<student>/<assignment>/ and write
##        feedback, grades/<assignment>.csv and the class report
##        (ARGS="--scheduler tcp://host:8786" for a Dask cluster, "--workers N", "--regrade")
grade: system-grade $(VENV_STAMP)
	$(PY) -m course_tools.grade_and_report $(ARGS)

## test: the test suite, through real nbgrader
test: system-test $(VENV_STAMP)
	$(PY) -m pytest tests -rsxP -n 2 --dist loadgroup --no-loadscope-reorder

## benchmark: time the autograding of the naive reference solution, cell by cell
benchmark: system-grade $(VENV_STAMP)
	$(PY) -m course_tools.proof.benchmark

## corpus: autograde the corpus of wrong and right solutions and print the verdicts
corpus: system-grade $(VENV_STAMP)
	$(PY) -m course_tools.proof.corpus

## mutation-score: mutmut's mutants of every graded function's reference solution, judged by the hidden tests
mutation-score: $(VENV_STAMP)
	$(PY) -m course_tools.proof.mutation_score

## similarity-proof: how many disguised copies the class report's similar submissions find among the corpora's
##                   entries, how many honest pairs it lists, and its time for 300 students (docs/similarity.md)
similarity-proof: $(VENV_STAMP)
	$(PY) -m course_tools.proof.similarity_proof
