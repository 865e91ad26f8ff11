def only_row(queryset):
    """The row of a lookup on a unique key, or None.

    Unlike ``.first()`` it adds no ORDER BY: models' default orderings follow foreign keys
    (an article orders by its project's name), which costs a join and query building on the
    hot path of every span write, for a single row.
    """
    return next(iter(queryset.order_by()[:1]), None)
