"""Hand-written SQL for the hottest request paths (a citizen's rating: its token, its transaction,
its insert), with the column lists taken from the models so they follow every migration.

Why: the ORM compiles a queryset's SQL on every request, and for the few statements of one
rating that was the largest part of the request's CPU (benchmarks/rating_profile.py: the
token's select_related with the grants, the transaction's with its window and person, the
rating's INSERT). Here the SQL is built once per process and database vendor; each request
only binds its values. Rows become model instances through `Model.from_db` and the same
database converters the ORM applies, and joined rows are cached on their parent as
select_related caches them, so callers see the objects the ORM would have given them."""

from django.db import connection


class Columns:
    """One model's concrete columns in a hand-written SELECT under `alias`."""

    def __init__(self, model, alias):
        self.model, self.alias = model, alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = next(i for i, f in enumerate(self.fields) if f.primary_key)
        self._converters = {}

    def sql(self):
        qn = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)

    def __len__(self):
        return len(self.fields)

    def converters(self):
        """[(index, [converter, ...], expression)] of the columns the database hands back in another
        form than the field's (SQLite's dates and booleans, PostgreSQL's JSON text), as the ORM's
        compiler applies them."""
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if funcs:
                    found.append((i, funcs, col))
            self._converters[vendor] = found
        return self._converters[vendor]

    def read(self, row, start):
        """(instance, or None when its primary key is NULL: an outer join found nothing; next offset)."""
        end = start + len(self.fields)
        values = list(row[start:end])
        if values[self.pk_index] is None:
            return None, end
        for i, funcs, col in self.converters():
            for func in funcs:
                values[i] = func(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values), end


def insert_sql(model, *, returning=("id",), on_conflict_nothing=False):
    """INSERT of every concrete column but the primary key, with its parameter placeholders."""
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if on_conflict_nothing:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(qn(c) for c in returning)}"
    return sql, fields


def insert_params(obj, fields):
    """The values `insert_sql` binds for `obj`, prepared as the ORM's INSERT prepares them
    (pre_save: auto_now and friends; get_db_prep_save: JSON, dates for the vendor)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
