"""Customers and contacts, made through the customer services (validation, tag cleaning)."""

import factory

from gridsales.customers import services
from gridsales.customers.models import Contact, Customer


class CustomerFactory(factory.Factory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"客户{n}有限公司")
    current_grid = None
    owner = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.customer_create(**kwargs)


class ContactFactory(factory.Factory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.contact_save(**kwargs)
