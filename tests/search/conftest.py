from tests.search.fixtures import _drop_test_indices, _isolated_search_index, celery_eager, each_backend  # noqa: F401
