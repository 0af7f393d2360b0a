"""Trained models as bytes that cannot run code when they are read back.

Pickle (and joblib, which wraps it) calls whatever functions its bytes name while it loads
them: anyone who can change the stored bytes can run code on the server. ``skops`` stores an
estimator as a zip of JSON and NumPy arrays instead. Before it builds anything, ``loads``
checks every type the file names against skops' own safe types plus the ``trusted`` names
given by the caller, and refuses the file if any other type appears. The caller passes the
fixed list of its own types; it never passes back what ``skops.io.get_untrusted_types``
reads from the file. The Odoo layer also signs the bytes it stores and checks the signature
before calling ``loads``.
"""

import zipfile

import skops.io as sio


def qualified_name(obj):
    """The name skops records for a class or function: ``module.QualName``."""
    return f"{obj.__module__}.{obj.__qualname__}"


def dumps(obj):
    """``obj`` as skops bytes (deflated: the vocabularies and trees compress well)."""
    return sio.dumps(obj, compression=zipfile.ZIP_DEFLATED, compresslevel=6)


def loads(data, trusted, expected=None):
    """The object stored by :func:`dumps`; raises ``ValueError`` when the bytes are not one.

    ``trusted`` lists the qualified names of the types skops does not trust by default that
    the object may contain. Bytes that name any other type are refused before anything is
    built. With ``expected`` (a class), any object of another type is refused too.
    """
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValueError("no stored model")
    try:
        obj = sio.loads(bytes(data), trusted=list(trusted))
    except Exception as error:  # noqa: BLE001 - not a zip, an untrusted type, a bad schema: not a model
        raise ValueError(f"not a stored model: {type(error).__name__}: {error}") from error
    if expected is not None and not isinstance(obj, expected):
        raise ValueError(f"not a stored model: unexpected object {type(obj).__name__}")
    return obj
