# Local single-node OpenSearch (see ops/opensearch/README.md).
# Included by the top-level Makefile.  Honours JINCAI_DATA_DIR and
# OPENSEARCH_PORT from the environment.

# Resolved now (:=), while this file is still the last one make has read.
OPENSEARCH_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
OPENSEARCH_LAUNCH ?= python3 $(OPENSEARCH_MK_DIR)launch.py

.PHONY: opensearch-fetch opensearch-start opensearch-stop opensearch-status

## Resolve the OpenSearch jars from Maven Central (no-op when present).
opensearch-fetch:
	$(OPENSEARCH_LAUNCH) fetch

## Start OpenSearch in the background and wait until it is healthy.
opensearch-start:
	$(OPENSEARCH_LAUNCH) start

## Stop OpenSearch (clean shutdown via SIGTERM).
opensearch-stop:
	$(OPENSEARCH_LAUNCH) stop

## Show whether OpenSearch runs and its cluster health.
opensearch-status:
	$(OPENSEARCH_LAUNCH) status
