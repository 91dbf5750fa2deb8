"""Sales imports and exports for `gridsales import|export`, the pages and the API:
products (sales/product_io.py), order lines (sales/order_io.py, order_export.py) and
opportunities (sales/pipeline_io.py, export only)."""

from gridsales.sales.order_export import OrderExporter
from gridsales.sales.order_io import OrderImporter
from gridsales.sales.pipeline_io import OpportunityExporter
from gridsales.sales.product_io import ProductExporter, ProductImporter

IMPORTERS = {"orders": OrderImporter(), "products": ProductImporter()}
EXPORTERS = {
    "orders": OrderExporter(),
    "products": ProductExporter(),
    "opportunities": OpportunityExporter(),
}
