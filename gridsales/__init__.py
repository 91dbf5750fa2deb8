"""GridSales (网格销售管理): grid sales management."""

__version__ = "0.1.0"
