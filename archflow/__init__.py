"""archflow: data-driven Keras architecture selection as a validated, versioned pipeline.

The modules in this package are plain Python: they know nothing of Prefect or DVC.
The Prefect tasks in ``tasks/`` and flows in ``flows/`` wire them to files.
"""

__version__ = "0.1.0"
