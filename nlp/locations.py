"""Inputs and output folder given as fsspec URLs: `file://` ones are local (or shared-disk) paths.

A cluster's workers open the input files and the spool inside the output folder themselves, so both
must be on a file system every worker mounts at the same path. `jixiao normalize` takes such a place
as a plain path or as a `file://` URL; a URL of an object store (`s3://`, `gs://`, …) is refused with
the reason, since nothing reads or writes object stores yet, and an unknown protocol is named.
"""

from __future__ import annotations


class LocationError(ValueError):
    """A path given as a URL that jixiao cannot read or write."""


def local_path(location: str) -> str:
    """The local path a location names: itself when it is not a URL, the path of a `file://` URL."""
    if "://" not in location:
        return location
    try:
        from fsspec.core import url_to_fs
    except ImportError as err:
        raise LocationError(f'{location}: a URL needs fsspec: pip install "jixiao[dask]"') from err
    try:
        fs, path = url_to_fs(location)
    except ValueError as err:  # fsspec: "Protocol not known: …"
        raise LocationError(f"{location}: {err}") from err
    except ImportError as err:  # a known protocol whose package is missing (s3fs, gcsfs)
        raise LocationError(f"{location}: {err}; {_NOT_YET}") from err
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    if "file" not in protocols:
        raise LocationError(f"{location}: {_NOT_YET}")
    return str(path)


_NOT_YET = "object stores are not read yet: copy the files to a disk every worker mounts (NFS, shared disk)"
