# The two commands of the README. Each does its own setup on a fresh Debian machine.
.PHONY: setup demo test stack-down

setup:
	bash scripts/setup.sh

## make demo: the demo on defaults (fold a, 50 users) on the local stack
demo: setup
	npx coldstart demo

## make test: the whole suite (unit + integration), with the test count
test: setup
	bash scripts/test.sh

stack-down:
	npx coldstart stack down
