from django.urls import path  # noqa: F401

from gridsales.sales import order_views, pipeline_views, product_views

app_name = "sales"
urlpatterns: list = []

# Products, categories and orders (docs/orders.md).
urlpatterns += [
    path("products/", product_views.ProductListView.as_view(), name="product-list"),
    path("products/new/", product_views.ProductCreateView.as_view(), name="product-create"),
    path("products/<int:pk>/edit/", product_views.ProductUpdateView.as_view(), name="product-edit"),
    path("categories/", product_views.CategoryListView.as_view(), name="category-list"),
    path("categories/new/", product_views.CategoryFormView.as_view(), name="category-create"),
    path(
        "categories/<int:pk>/edit/",
        product_views.CategoryFormView.as_view(),
        name="category-edit",
    ),
    path("orders/", order_views.OrderListView.as_view(), name="order-list"),
    path("orders/new/", order_views.OrderFormView.as_view(), name="order-create"),
    path("orders/<int:pk>/", order_views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", order_views.OrderFormView.as_view(), name="order-edit"),
    path("orders/<int:pk>/delete/", order_views.OrderDeleteView.as_view(), name="order-delete"),
    path(
        "orders/lines/<int:pk>/cancel/",
        order_views.OrderLineCancelView.as_view(),
        name="order-line-cancel",
    ),
    path(
        "orders/lines/<int:pk>/return/",
        order_views.OrderLineReturnView.as_view(),
        name="order-line-return",
    ),
]

# Pipelines, the board and deals (docs/pipeline.md).
urlpatterns += [
    path("board/", pipeline_views.DefaultBoardView.as_view(), name="board-default"),
    path("pipelines/", pipeline_views.PipelineListView.as_view(), name="pipeline-list"),
    path("pipelines/new/", pipeline_views.PipelineFormView.as_view(), name="pipeline-create"),
    path(
        "pipelines/<int:pk>/edit/", pipeline_views.PipelineFormView.as_view(), name="pipeline-edit"
    ),
    path(
        "pipelines/<int:pk>/delete/",
        pipeline_views.PipelineDeleteView.as_view(),
        name="pipeline-delete",
    ),
    path("pipelines/<int:pk>/board/", pipeline_views.BoardView.as_view(), name="board"),
    path("opportunities/", pipeline_views.OpportunityListView.as_view(), name="opportunity-list"),
    path(
        "opportunities/export.<slug:fmt>",
        pipeline_views.OpportunityExportView.as_view(),
        name="opportunity-export",
    ),
    path(
        "opportunities/new/",
        pipeline_views.OpportunityCreateView.as_view(),
        name="opportunity-create",
    ),
    path(
        "opportunities/<int:pk>/",
        pipeline_views.OpportunityDetailView.as_view(),
        name="opportunity-detail",
    ),
    path(
        "opportunities/<int:pk>/edit/",
        pipeline_views.OpportunityUpdateView.as_view(),
        name="opportunity-edit",
    ),
    path(
        "opportunities/<int:pk>/delete/",
        pipeline_views.OpportunityDeleteView.as_view(),
        name="opportunity-delete",
    ),
    path(
        "opportunities/<int:pk>/move/",
        pipeline_views.OpportunityMoveView.as_view(),
        name="opportunity-move",
    ),
]
