"""API pagination (kept apart from views: DRF settings import it early)."""

from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    """DRF's page format {count, next, previous, results}; ?page_size= up to 1000."""

    page_size_query_param = "page_size"
    max_page_size = 1000
