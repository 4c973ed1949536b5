"""The data the course ships, installed as the package ``lessons_lib.data``.

This folder stays at the top of the repository, where the tools that compute its files
write them (tools/train_detector_cnn.py, tools/train_vit.py, tools/run_sweeps.py);
pyproject.toml maps it into the wheel as ``lessons_lib/data``, and the library finds
the files with ``importlib.resources`` (``lessons_lib._data.data_path``), in an
installed wheel and in an editable install of the repository alike. This file only
makes the folder a package; the data are the .npz and .json files beside it.
"""
