"""Demo data: Shanghai's 16 districts cut into grids, a sales team and customers.

`gridsales demo` flushes the database and calls `builder.build_demo()`. The pure parts
(`geo`, `names`) import no Django; `plan` holds the fixed layout of the demo company.
"""
