"""One way to page every list: `?page=N&page_size=M` (at most 100), with `count`, `next`, `previous`."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page numbers, like the app's own pages; an out-of-range page is a 404 problem."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        self.page_size = settings.API_PAGE_SIZE
        return super().get_page_size(request)
