from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    """``?page=N&page_size=M``; bounded so that one request cannot ask for the whole corpus."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
