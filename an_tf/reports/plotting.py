"""The one plot backend of the reports: matplotlib figures drawn by its Agg canvas into PNG
files, without pyplot (no display, and no change to a process-wide backend or figure list)."""


def new_figure(**kwargs):
    """A `matplotlib.figure.Figure(**kwargs)` on an Agg canvas; one-line ImportError without
    matplotlib."""
    # pylint: disable=import-outside-toplevel (matplotlib is needed for plots only)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError("the plots need matplotlib: pip install matplotlib") from error
    figure = Figure(**kwargs)
    FigureCanvasAgg(figure)
    return figure
