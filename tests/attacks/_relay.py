"""The answers of a relay attack: the functions it implements store their source through the relay, the others
define themselves from what an earlier student stored (or stay unimplemented). ``relay`` is the kernel-side
code that defines ``_relay_write(grade_id, source)`` and ``_relay_read(grade_id)``."""


def relay_answers(relay, reference, implemented, missing="NotImplementedError()"):
    def stores(grade_id, source):
        return f"{relay}\n{source}\n\n_relay_write({grade_id!r}, {source!r})\n"

    def takes(grade_id):
        return f'''{relay}
_source = _relay_read({grade_id!r})
if _source is not None:
    exec(_source, globals())
else:
    def {grade_id}(*args, **kwargs):
        raise {missing}
'''

    return {grade_id: stores(grade_id, source) if grade_id in implemented else takes(grade_id)
            for grade_id, source in reference.items()}
